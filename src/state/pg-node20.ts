/**
 * Imported before the `pg` driver, for its start-up time: pg's stream module asks whether it
 * runs in a Cloudflare Worker by reading `navigator.userAgent`, and where there is no
 * `navigator` (Node 20) by making a `new Response()`, which loads Node's whole fetch
 * implementation: about 40 ms of every database command. Node 21 and later define `navigator`
 * with this user agent; on Node 20 it is defined here the same way, so the answer is immediate.
 */
if (typeof (globalThis as { navigator?: unknown }).navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` }, configurable: true, writable: true });
}
