// Face embeddings computed on this machine, offline: @vladmandic/human (BlazeFace detector, FaceMesh alignment,
// FaceRes descriptor: 1,024 values) on the TensorFlow.js WASM backend. The models and the WASM binaries ship
// inside the npm packages; nothing is fetched at run time. The model is loaded on first use (≈0.5 s, the first
// image ≈1.5 s more), and images are embedded one at a time (the backend is not re-entrant).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { errors } from '../../platform/errors.ts';

export interface DetectedFace {
  embedding: Float32Array;
  /** x, y, width, height in pixels. */
  box: [number, number, number, number];
  /** Detector confidence, 0–1. */
  score: number;
}

export interface FaceEmbedder {
  readonly model: string;
  readonly dim: number;
  embed(image: Buffer): Promise<DetectedFace[]>;
}

// The parts of Human and tfjs used here (the package is loaded by path: its export map has no entry for the
// node-wasm build).
interface TfLike {
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void };
  io: {
    registerLoadRouter(router: (url: string | string[]) => unknown): void;
    getModelArtifactsForJSON(json: unknown, load: (manifest: WeightGroup[]) => Promise<[unknown[], ArrayBuffer]>): Promise<unknown>;
  };
}
interface WeightGroup {
  paths: string[];
  weights: unknown[];
}
interface HumanFace {
  embedding?: number[];
  box: [number, number, number, number];
  score: number;
}
interface HumanLike {
  tf: TfLike;
  load(): Promise<void>;
  detect(input: unknown): Promise<{ face: HumanFace[] }>;
}

const require = createRequire(import.meta.url);
const MAX_PIXELS = 24_000_000;
let routerRegistered = false;

/** Lets tfjs read `file://` model URLs from disk (its Node file loader lives in tfjs-node, which we do not use). */
function registerFileLoader(tf: TfLike): void {
  if (routerRegistered) return;
  routerRegistered = true;
  tf.io.registerLoadRouter((url) => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    const file = url.slice('file://'.length);
    return {
      load: async () => {
        const json = JSON.parse(await fs.promises.readFile(file, 'utf8')) as unknown;
        return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
          const specs = manifest.flatMap((g) => g.weights);
          const parts = await Promise.all(manifest.flatMap((g) => g.paths.map((p) => fs.promises.readFile(path.join(path.dirname(file), p)))));
          const all = Buffer.concat(parts);
          return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
        });
      },
    };
  });
}

export class HumanEmbedder implements FaceEmbedder {
  readonly model = 'human-faceres';
  readonly dim = 1024;
  private human: Promise<HumanLike> | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** Loads the model now rather than on the first image. */
  async load(): Promise<void> {
    await this.instance();
  }

  private instance(): Promise<HumanLike> {
    this.human ??= (async () => {
      const distDir = path.dirname(require.resolve('@vladmandic/human'));
      const tf = require('@tensorflow/tfjs-core') as TfLike;
      registerFileLoader(tf);
      const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
      const { Human } = require(path.join(distDir, 'human.node-wasm.js')) as { Human: new (config: unknown) => HumanLike };
      const human = new Human({
        backend: 'wasm',
        wasmPath: `file://${wasmDir}/`,
        modelBasePath: `file://${path.join(distDir, '..', 'models')}/`,
        cacheModels: false,
        // Still images, not video: no reuse of the previous frame's result.
        cacheSensitivity: 0,
        skipAllowed: false,
        debug: false,
        body: { enabled: false },
        hand: { enabled: false },
        object: { enabled: false },
        gesture: { enabled: false },
        segmentation: { enabled: false },
        face: {
          enabled: true,
          detector: { rotation: false, maxDetected: 20, minConfidence: 0.3 },
          mesh: { enabled: true },
          iris: { enabled: false },
          description: { enabled: true },
          emotion: { enabled: false },
          antispoof: { enabled: false },
          liveness: { enabled: false },
        },
      });
      await human.load();
      return human;
    })();
    this.human.catch(() => (this.human = null));
    return this.human;
  }

  embed(image: Buffer): Promise<DetectedFace[]> {
    const run = this.queue.then(() => this.embedNow(image));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async embedNow(image: Buffer): Promise<DetectedFace[]> {
    const { width, height, data } = decodeJpeg(image);
    const human = await this.instance();
    const tensor = human.tf.tensor3d(data, [height, width, 3], 'int32');
    try {
      const result = await human.detect(tensor);
      return result.face
        .filter((f) => Array.isArray(f.embedding) && f.embedding.length === this.dim)
        .map((f) => ({ embedding: Float32Array.from(f.embedding!), box: f.box, score: f.score }));
    } finally {
      tensor.dispose();
    }
  }
}

/** RGB pixels of a JPEG (what cameras and GA/T 1400 send); anything else is refused with a clear error. */
export function decodeJpeg(image: Buffer): { width: number; height: number; data: Uint8Array } {
  if (image.length < 4 || image[0] !== 0xff || image[1] !== 0xd8) {
    throw errors.validation('face.image_format', 'The image must be a JPEG.', [{ field: 'image', message: 'not a JPEG' }]);
  }
  try {
    const img = jpeg.decode(image, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
    return { width: img.width, height: img.height, data: img.data };
  } catch (err) {
    throw errors.validation('face.image_unreadable', `The JPEG could not be read: ${err instanceof Error ? err.message : String(err)}`, [
      { field: 'image', message: 'unreadable' },
    ]);
  }
}

/** The embedder when FACE_MODEL=none: the device-supplied feature path still works. */
export class NoEmbedder implements FaceEmbedder {
  readonly model = 'human-faceres';
  readonly dim = 1024;
  async embed(): Promise<DetectedFace[]> {
    throw errors.unavailable('face.model_disabled', 'Face embedding from images is turned off (FACE_MODEL=none); send a face feature vector.');
  }
}
