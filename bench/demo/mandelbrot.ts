/**
 * The flagship demo's actors (a module every worker imports): a Mandelbrot renderer. A tile is
 * a rectangle of the image; a Renderer computes escape times for it (the CPU-heavy part) and a
 * Shader turns them into RGB with a smooth palette; both stages run on the workers, and the
 * shaded tile goes back to whoever asked.
 */
import { type ActorContext, type ActorRef, defineActor } from '../../src/index.js';

export interface View {
  width: number;
  height: number;
  /** Centre and horizontal span of the complex plane shown. */
  cx: number;
  cy: number;
  span: number;
  maxIter: number;
}

export interface Tile {
  id: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Escape iterations (smoothed ×16 into a Uint16Array) for every pixel of a tile. */
export function escapeTimes(view: View, tile: Tile): Uint16Array {
  const out = new Uint16Array(tile.w * tile.h);
  const scale = view.span / view.width;
  const x0 = view.cx - (view.width / 2) * scale;
  const y0 = view.cy - (view.height / 2) * scale;
  const maxIter = view.maxIter;
  let k = 0;
  for (let py = tile.y; py < tile.y + tile.h; py++) {
    const ci = y0 + py * scale;
    for (let px = tile.x; px < tile.x + tile.w; px++) {
      const cr = x0 + px * scale;
      let zr = 0;
      let zi = 0;
      let n = 0;
      let r2 = 0;
      let i2 = 0;
      while (n < maxIter && r2 + i2 <= 256) {
        zi = 2 * zr * zi + ci;
        zr = r2 - i2 + cr;
        r2 = zr * zr;
        i2 = zi * zi;
        n++;
      }
      if (n >= maxIter) out[k++] = 0;
      else {
        // Smooth colouring: fractional escape count.
        const smooth = n + 1 - Math.log2(Math.log2(r2 + i2) / 2);
        out[k++] = Math.max(1, Math.min(65535, Math.round(smooth * 16)));
      }
    }
  }
  return out;
}

/** RGB bytes for escape times (0 = inside the set: black). */
export function shade(times: Uint16Array): Uint8Array {
  const rgb = new Uint8Array(times.length * 3);
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (t === 0) continue;
    const v = Math.sqrt(t / 16) * 0.35;
    rgb[i * 3] = 127.5 * (1 + Math.cos(v + 0.0));
    rgb[i * 3 + 1] = 127.5 * (1 + Math.cos(v + 0.6));
    rgb[i * 3 + 2] = 127.5 * (1 + Math.cos(v + 1.0));
  }
  return rgb;
}

export type Shaded = { type: 'shaded'; tile: Tile; rgb: Uint8Array; worker: number; renderMs: number };

type ShaderMsg = { type: 'shade'; tile: Tile; times: Uint16Array; replyTo: ActorRef<Shaded>; renderMs: number };
export const Shader = defineActor(import.meta.url, 'Shader', {
  init: () => null,
  receive(_s, m: ShaderMsg, ctx: ActorContext<ShaderMsg, never>) {
    m.replyTo.tell({ type: 'shaded', tile: m.tile, rgb: shade(m.times), worker: ctx.self.participant, renderMs: m.renderMs });
  },
});

type RendererMsg = { type: 'render'; view: View; tile: Tile; replyTo: ActorRef<Shaded> };
/** Stage one: computes a tile's escape times, hands them to its shader (spawned beside it). */
export const Renderer = defineActor(import.meta.url, 'Renderer', {
  init: (_: undefined, ctx) => ({ shader: ctx.spawn(Shader, undefined) }),
  receive(s, m: RendererMsg) {
    const t0 = performance.now();
    const times = escapeTimes(m.view, m.tile);
    s.shader.tell({ type: 'shade', tile: m.tile, times, replyTo: m.replyTo, renderMs: performance.now() - t0 });
  },
});
