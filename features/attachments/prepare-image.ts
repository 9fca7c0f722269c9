'use client';

/** The model gains nothing from more than this on an image's long side (Anthropic's guidance), and a phone photo is 4000+. */
export const MODEL_IMAGE_SIDE_PX = 1568;

/** The types the browser redraws; a GIF is sent as it is (redrawing would keep only its first frame). */
const REDRAWN = new Set(['image/png', 'image/jpeg', 'image/webp']);

/**
 * An image as it is sent: scaled down to the model's useful size and drawn again, which also
 * leaves its metadata behind (a photo's EXIF: GPS position, camera, time). Kept in its type
 * (PNG stays lossless). Anything the browser can't decode goes as it is: the server decides.
 */
export async function prepareImage(file: File): Promise<File> {
  if (!REDRAWN.has(file.type)) return file;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return file;
  }
  const scale = Math.min(1, MODEL_IMAGE_SIDE_PX / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, file.type, 0.9));
  return blob ? new File([blob], file.name, { type: blob.type }) : file;
}
