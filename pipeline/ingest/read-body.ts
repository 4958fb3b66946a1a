// Reads a request body up to a limit without buffering more than the limit: a declared
// Content-Length over it is refused before reading anything, a chunked body as soon as it
// crosses it.
export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: string };

export async function readBodyLimited(req: Request, maxBytes: number): Promise<BodyResult> {
  const tooLarge = (what: string): BodyResult => ({ ok: false, reason: `${what} exceeds METERLINE_MAX_BODY_BYTES (${maxBytes} bytes)` });
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) return tooLarge(`the body (Content-Length ${declared})`);
  if (!req.body) return { ok: true, body: Buffer.alloc(0) };
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return tooLarge('the body');
    }
    chunks.push(value);
  }
  return { ok: true, body: Buffer.concat(chunks, total) };
}
