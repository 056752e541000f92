import { frame } from './frame.ts';
import { outputDevice } from './board.ts';
outputDevice().write(frame(new Uint8Array(3)));
