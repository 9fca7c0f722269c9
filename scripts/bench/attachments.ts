import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright';
import { png } from '../../tests/fixtures/attachment-files';
import type { AppServer } from './app-server';
import { launchChromium, visitorContext } from './browser';
import type { BenchApi } from './fake-api';
import { median, mib, ms, ratio } from './stats';
import { sendThroughTether, uploadAttachment } from './tether-client';

const REPETITIONS = 5;
/** A 12-megapixel phone photo. */
const PHOTO = { width: 4000, height: 3000 };
/** A 1 MB image: 580×580 pixels of noise, which PNG can't shrink. */
const IMAGE_SIDE = 580;

type Downscale = { ms: number; before: number; after: number; width: number; height: number };

/**
 * Attachments' two costs. In the browser: the composer drawing a 12 MP photo again at the model's
 * size before it uploads (the app's own code, in Chromium: from the file input's change to the
 * upload's start, and the bytes before and after). On the server: a message carrying a 1 MB image
 * against the same message without it, send → first token, through the real CLI (which sends the
 * image to the model API as base64).
 */
export async function benchAttachments({ api, server, cookie, log }: { api: BenchApi; server: AppServer; cookie: string; log: (line: string) => void }): Promise<string> {
  const browser = await launchChromium();
  const scaled: Downscale[] = [];
  try {
    for (let rep = 0; rep <= REPETITIONS; rep++) {
      const sample = await downscale(browser, server, cookie);
      log(`downscale #${rep}: ${ms(sample.ms)}, ${mib(sample.before)} → ${mib(sample.after)} (${sample.width}×${sample.height})`);
      if (rep > 0) scaled.push(sample); // the first warms the page's code up
    }
  } finally {
    await browser.close();
  }

  const image = png(IMAGE_SIDE, IMAGE_SIDE, { noise: true });
  const firstToken: Record<'text' | 'image', number[]> = { text: [], image: [] };
  const sentOn: Array<{ mediaType: string; bytes: number }> = [];
  for (let rep = 0; rep <= REPETITIONS; rep++) {
    for (const variant of rep % 2 ? (['image', 'text'] as const) : (['text', 'image'] as const)) {
      const conversationId = randomUUID();
      const text = `[attachments ${variant} #${rep}] what is this?`;
      api.streamDeltas(text, { count: 5, delayMs: 0 });
      const attachments = variant === 'image' ? [await uploadAttachment({ server, cookie, conversationId, name: 'noise.png', type: 'image/png', bytes: image })] : undefined;
      let firstAt = Number.NaN;
      const { sentAt } = await sendThroughTether({
        server,
        cookie,
        conversationId,
        text,
        attachments,
        onEvent: (event, at) => {
          if (event.type === 'text' && Number.isNaN(firstAt)) firstAt = at;
        },
      });
      if (rep === 0) continue;
      firstToken[variant].push(firstAt - sentAt);
      if (variant === 'image') sentOn.push(imageSentOn(api, text));
      log(`first token, ${variant} #${rep}: ${ms(firstAt - sentAt)}`);
    }
  }

  const pick = (key: keyof Downscale) => median(scaled.map((sample) => sample[key]));
  const [text, withImage] = [median(firstToken.text), median(firstToken.image)];
  return [
    `| median of ${REPETITIONS} | time | bytes |`,
    '|---|---:|---:|',
    `| **12 MP photo (${PHOTO.width}×${PHOTO.height} JPEG) drawn again in the browser** at ${pick('width')}×${pick('height')} | ${ms(pick('ms'))} | ${mib(pick('before'))} → ${mib(pick('after'))} |`,
    `| send → first token, text only | ${ms(text)} | |`,
    `| send → first token, with a ${mib(image.length)} PNG | ${ms(withImage)} (${ratio(withImage / text)}) | the CLI sends it on as ${sentOn[0]?.mediaType ?? '–'}: ${mib(median(sentOn.map(({ bytes }) => bytes)))} |`,
  ].join('\n');
}

/** The image the CLI sent the model for the message `text`: its type and decoded size (the CLI may re-encode it). */
function imageSentOn(api: BenchApi, text: string): { mediaType: string; bytes: number } {
  const request = api.requests.findLast((candidate) => JSON.stringify(candidate.messages).includes(text));
  const blocks = (request?.messages ?? []).flatMap((message) => (Array.isArray(message.content) ? message.content : [])) as Array<{ type: string; source?: { media_type: string; data: string } }>;
  const image = blocks.findLast((block) => block.type === 'image' && block.source);
  if (!image?.source) throw new Error(`no image reached the model API with "${text}"`);
  return { mediaType: image.source.media_type, bytes: Buffer.from(image.source.data, 'base64').length };
}

/** One photo through the composer: made in the page (so the bytes are a real camera-sized JPEG), then picked. */
async function downscale(browser: Browser, server: AppServer, cookie: string): Promise<Downscale> {
  const context = await visitorContext(browser, cookie);
  try {
    const page = await context.newPage();
    await page.goto(`http://${server.host}/`, { waitUntil: 'networkidle' });
    await page.waitForFunction(() => /^[0-9a-f-]{36}$/.test(sessionStorage.getItem('tether-tab-conversation:demo') ?? ''));
    const upload = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/attachments'), { timeout: 60_000 });
    const picked = await page.evaluate(async ({ width, height }) => {
      const canvas = new OffscreenCanvas(width, height);
      const context = canvas.getContext('2d')!;
      const gradient = context.createLinearGradient(0, 0, width, height);
      gradient.addColorStop(0, '#3a6ea5');
      gradient.addColorStop(1, '#f4d35e');
      context.fillStyle = gradient;
      context.fillRect(0, 0, width, height);
      // Shapes, then a sensor's grain over every pixel: detail as a photo has, so the JPEG is photo-sized.
      for (let i = 0; i < 4000; i++) {
        context.fillStyle = `hsl(${(i * 37) % 360} 60% ${30 + (i % 40)}%)`;
        context.fillRect((i * 7919) % width, (i * 104729) % height, 8 + (i % 90), 8 + ((i * 3) % 70));
      }
      const pixels = context.getImageData(0, 0, width, height);
      for (let i = 0; i < pixels.data.length; i++) pixels.data[i] = pixels.data[i]! + (Math.imul(i, 2654435761) >>> 28) - 8;
      context.putImageData(pixels, 0, 0);
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
      const input = document.querySelector<HTMLInputElement>('input[type=file]')!;
      const files = new DataTransfer();
      files.items.add(new File([blob], 'photo.jpg', { type: 'image/jpeg' }));
      input.files = files.files;
      const at = performance.now();
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return { at, bytes: blob.size };
    }, PHOTO);
    const response = await (await upload).response();
    const { attachment } = (await response!.json()) as { attachment: { size: number; width: number; height: number } };
    // The page's own clock: its resource timing says when the upload left (the entry lands once it is answered).
    const entry = await page.waitForFunction(() => performance.getEntriesByType('resource').findLast((entry) => entry.name.endsWith('/attachments'))?.startTime);
    const startedAt = (await entry.jsonValue()) as number;
    return { ms: startedAt - picked.at, before: picked.bytes, after: attachment.size, width: attachment.width, height: attachment.height };
  } finally {
    await context.close();
  }
}
