import net from 'node:net';

/**
 * A TCP relay between the store and PostgreSQL that a test can cut and
 * restore, to play "the database went away" without stopping the shared server.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  /** Each relayed connection: the client's side and PostgreSQL's. */
  private readonly pairs = new Set<readonly [net.Socket, net.Socket]>();
  private stalled = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens again on the same port after stop(), so the store's URL stays valid. */
  async start(): Promise<number> {
    const server = net.createServer((client) => this.relay(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Refuses new connections and kills the open ones mid-stream. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Stops forwarding without closing anything, new connections included: a
   * half-open path after a failover, where nothing answers and nothing
   * resets (the bytes wait in the relay until flow()).
   */
  stall(): void {
    this.stalled = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Forwards again, on the connections still open and on new ones. */
  flow(): void {
    this.stalled = false;
    for (const pair of this.pairs) connect(pair);
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, this.targetHost);
    const pair = [client, upstream] as const;
    this.pairs.add(pair);
    for (const socket of pair) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      });
    }
    if (this.stalled) for (const socket of pair) socket.pause();
    else connect(pair);
  }
}

function connect([client, upstream]: readonly [net.Socket, net.Socket]): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

/** A server that accepts connections and never answers: a database hung or a network black hole. */
export async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
