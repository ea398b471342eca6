// Bluesky's reference PDS with an in-memory PLC directory, started the way @atproto/dev-env starts
// them for Bluesky's own tests (TestNetworkNoAppView: PDS on SQLite, no Postgres, no Redis).
//
//   node launch.mjs [--public-url URL]
//   node launch.mjs --appview      (with DB_POSTGRES_URL and DB_POSTGRES_SCHEMA set)
//
// With --appview it starts the full network instead (TestNetwork): the PDS, and the AppView
// (@atproto/bsky) that indexes it with the bsync and ozone services it needs, on the Postgres
// that DB_POSTGRES_URL names, in schemas named after DB_POSTGRES_SCHEMA (letters only: bsync
// refuses digits). No Redis: see REDIS_HOST below.
//
// Every server listens on 127.0.0.1 only, on free ports. When ready it prints one JSON line:
// {"pds": URL, "plc": URL, "publicUrl": URL}, and "appview": URL under --appview. With
// --public-url the accounts' DID documents name URL as their PDS (a reverse proxy in front of
// it, as a deployed PDS sits behind one), and createSession returns the DID document (the PDS
// setting PDS_ENABLE_DID_DOC_WITH_SESSION), so clients that follow it, as ours does, go through
// URL.
//
// It reads JSON lines on stdin: {"advanceClock": seconds} moves this process's clock forward (the
// PDS then sees the tokens it issued earlier as expired) and answers {"clock": ISO date};
// {"processAll": true} waits until the AppView has indexed everything the PDS has written so far
// (TestNetwork.processAll) and answers {"processed": true}. It stops cleanly when stdin closes or
// on SIGTERM.
import net from 'node:net';
import readline from 'node:readline';

// A clock that can be moved forward: `new Date()` and `Date.now()` are what the PDS's JWT checks
// (jose) and token expiry read. Installed before anything else is imported.
const RealDate = Date;
let clockOffsetMs = 0;
class MovableDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(RealDate.now() + clockOffsetMs);
    else super(...args);
  }

  static now() {
    return RealDate.now() + clockOffsetMs;
  }

  static [Symbol.hasInstance](value) {
    return value instanceof RealDate;
  }
}
globalThis.Date = MovableDate;

// Loopback only: the servers call listen(port) without a host, which would mean every interface.
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  if (args[0] === undefined || typeof args[0] === 'number') {
    if (typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  } else if (typeof args[0] === 'object' && args[0] !== null && !args[0].path && !args[0].host) {
    args[0] = { ...args[0], host: '127.0.0.1' };
  }
  return listen.apply(this, args);
};

const argIndex = process.argv.indexOf('--public-url');
const publicUrl = argIndex > 0 ? process.argv[argIndex + 1].replace(/\/$/, '') : null;
const withAppView = process.argv.includes('--appview');

// TestNetwork (dev-env 0.6.7) asserts that REDIS_HOST is set, yet none of the services it starts
// connects to it: TestBsky wires no Redis cache, and the PDS uses Redis only with
// PDS_REDIS_SCRATCH_ADDRESS, which it does not set (a redis-server named here saw no connection
// in a whole test run). Nothing listens at this address, so any use would fail loudly.
if (withAppView) process.env.REDIS_HOST ??= '127.0.0.1:1';

const { TestNetwork, TestNetworkNoAppView } = await import('@atproto/dev-env');
const network = await (withAppView ? TestNetwork : TestNetworkNoAppView).create({
  pds: { enableDidDocWithSession: Boolean(publicUrl) },
});
const pdsUrl = `http://127.0.0.1:${network.pds.port}`;

if (publicUrl) {
  // dev-env already maps the PDS's own address into resolved DID documents; map it to the proxy.
  const resolver = network.pds.ctx.idResolver.did;
  const resolveNoCache = resolver.resolveNoCache;
  resolver.resolveNoCache = async (did) => {
    const doc = await resolveNoCache.call(resolver, did);
    for (const service of doc?.service ?? []) {
      if (service.id === '#atproto_pds') service.serviceEndpoint = publicUrl;
    }
    return doc;
  };
}

let closing = null;
function shutdown() {
  closing ??= network.close().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => {
  const command = JSON.parse(line);
  if (typeof command.advanceClock === 'number') {
    clockOffsetMs += command.advanceClock * 1000;
    console.log(JSON.stringify({ clock: new Date().toISOString() }));
  } else if (command.processAll) {
    network.processAll().then(
      () => console.log(JSON.stringify({ processed: true })),
      (err) => console.log(JSON.stringify({ processed: false, error: String(err) })),
    );
  } else {
    console.error(`launch.mjs: unknown command ${line}`);
  }
});
input.on('close', shutdown);

console.log(JSON.stringify({ pds: pdsUrl, plc: `http://127.0.0.1:${network.plc.port}`,
  publicUrl: publicUrl ?? pdsUrl,
  ...(withAppView ? { appview: `http://127.0.0.1:${network.bsky.port}` } : {}) }));
