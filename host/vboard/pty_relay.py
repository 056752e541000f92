#!/usr/bin/env python3
"""Pseudo-terminal relay for the Sipster virtual board (Node has no openpty).

Creates a pty, points a stable symlink (argv[1]) at its slave side, and relays bytes:
stdin -> pty master (what the board sends reaches whoever opened the slave),
pty master -> stdout (what they write reaches the board).
SIGUSR1 unplugs (closes the pty and removes the symlink, as a USB device vanishing);
SIGUSR2 plugs back in (a new pty behind the same symlink). Status lines go to stderr:
"PLUGGED <slave path>", "UNPLUGGED". Exits when stdin closes.
"""
import errno
import os
import select
import signal
import sys
import tty

link = sys.argv[1]
state = {"master": None, "slave": None, "want": True}
# Board output not yet taken by the pty (its buffer is small and a loaded reader is slow). Held
# here, not dropped; only past CAP, when nobody has read the port for a long time, the oldest
# bytes go, as on a wire nobody listens to.
pending = bytearray()
CAP = 1 << 20


def plug():
    master, slave = os.openpty()
    tty.setraw(slave)  # no echo, no CR/LF translation: a serial line carries bytes unchanged
    os.set_blocking(master, False)
    tmp = link + ".new"
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    os.symlink(os.ttyname(slave), tmp)
    os.replace(tmp, link)
    state["master"], state["slave"] = master, slave
    sys.stderr.write("PLUGGED %s\n" % os.ttyname(slave))
    sys.stderr.flush()


def unplug():
    try:
        os.unlink(link)
    except FileNotFoundError:
        pass
    for k in ("master", "slave"):
        if state[k] is not None:
            os.close(state[k])
            state[k] = None
    pending.clear()
    sys.stderr.write("UNPLUGGED\n")
    sys.stderr.flush()


signal.signal(signal.SIGUSR1, lambda *_: state.__setitem__("want", False))
signal.signal(signal.SIGUSR2, lambda *_: state.__setitem__("want", True))

stdin = sys.stdin.fileno()
stdout = sys.stdout.fileno()
plug()
try:
    while True:
        if state["want"] and state["master"] is None:
            plug()
        elif not state["want"] and state["master"] is not None:
            unplug()
        m = state["master"]
        fds = [stdin] + ([m] if m is not None else [])
        wfds = [m] if m is not None and pending else []
        try:
            ready, writable, _ = select.select(fds, wfds, [], 0.05)
        except InterruptedError:
            continue
        if stdin in ready:
            data = os.read(stdin, 65536)
            if not data:
                break
            if m is not None:
                pending += data
                if len(pending) > CAP:
                    del pending[: len(pending) - CAP]
        if m is not None and pending and (m in writable or stdin in ready):
            try:
                del pending[: os.write(m, pending)]
            except BlockingIOError:
                pass  # the pty's buffer is full: keep the bytes for the next round
        if m is not None and m in ready:
            try:
                data = os.read(m, 65536)
            except OSError as e:
                if e.errno not in (errno.EIO, errno.EAGAIN):
                    raise
                data = b""
            if data:
                os.write(stdout, data)
finally:
    unplug()
