/**
 * Opens many ZooKeeper sessions from a separate process (its own file descriptors) and keeps them idle:
 * `node --import tsx idle-clients.ts <port> <count>` prints "ready <n>" once every handshake is
 * answered, then holds the connections until its stdin closes.
 */
import { connect, type Socket } from "node:net";

const port = Number(process.argv[2]);
const count = Number(process.argv[3]);
const sockets: Socket[] = [];

function handshake(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    sockets.push(socket);
    socket.once("error", reject);
    socket.once("connect", () => {
      const frame = Buffer.alloc(4 + 45);
      frame.writeInt32BE(45, 0);
      frame.writeInt32BE(40_000, 16);
      frame.writeInt32BE(16, 28);
      socket.write(frame);
    });
    socket.once("data", () => resolve());
  });
}

let next = 0;
async function worker(): Promise<void> {
  while (next < count) {
    next++;
    await handshake();
  }
}
await Promise.all(Array.from({ length: 200 }, worker));
process.stdout.write(`ready ${sockets.length}\n`);
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
