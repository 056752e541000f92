// The serial ports of this machine, as serialport's list() reports them (path, manufacturer,
// serial number, pnpId, vendor and product ids). On Linux, list() asks udevadm, which many
// machines (containers, minimal installs) lack; there the same facts are read from sysfs.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SerialPort } from 'serialport';

export type PortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number];

/** serialport's own filter of serial device names on Linux. */
const SERIAL_NAME = /^(tty(S|WCH|ACM|USB|AMA|MFD|O|XRUSB)|rfcomm)/;

export async function listPorts(): Promise<PortInfo[]> {
  try {
    return await SerialPort.list();
  } catch (err) {
    if (process.platform !== 'linux') throw err;
    return listFromSysfs();
  }
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The USB device above a tty's device node (the directory that has idVendor), if any. */
function usbDevice(deviceDir: string): string | undefined {
  for (let d = deviceDir; d !== '/' && d.startsWith('/sys/'); d = dirname(d)) if (existsSync(join(d, 'idVendor'))) return d;
  return undefined;
}

function byIdLinks(): Map<string, string> {
  const links = new Map<string, string>();
  try {
    for (const name of readdirSync('/dev/serial/by-id')) links.set(realpathSync(join('/dev/serial/by-id', name)), name);
  } catch {
    // no udev links on this machine
  }
  return links;
}

export function listFromSysfs(root = '/sys/class/tty'): PortInfo[] {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => SERIAL_NAME.test(n) && existsSync(join(root, n, 'device')));
  } catch {
    return [];
  }
  const byId = byIdLinks();
  return names.sort().map((name) => {
    const path = `/dev/${name}`;
    let usb: string | undefined;
    try {
      usb = usbDevice(realpathSync(join(root, name, 'device')));
    } catch {
      usb = undefined;
    }
    return {
      path,
      manufacturer: usb && read(join(usb, 'manufacturer')),
      serialNumber: usb && read(join(usb, 'serial')),
      pnpId: byId.get(path),
      locationId: undefined,
      vendorId: usb && read(join(usb, 'idVendor')),
      productId: usb && read(join(usb, 'idProduct')),
    };
  });
}
