import type { Language } from '../domain/errors.js';

/**
 * French is the default (the seed's language); English when Accept-Language
 * ranks some `en` range above every `fr` range. Other languages are ignored.
 */
export function preferredLanguage(header: string | undefined): Language {
  if (header === undefined || header.length > 500) return 'fr';
  let best: { language: Language; quality: number } = { language: 'fr', quality: 0 };
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const language =
      range === 'en' || range.startsWith('en-') ? 'en' : range.split('-')[0] === 'fr' ? 'fr' : null;
    if (language === null) continue;
    const quality = readQuality(params);
    if (quality > best.quality) best = { language, quality };
  }
  return best.language;
}

function readQuality(params: string[]): number {
  for (const param of params) {
    const [name, value] = param.trim().split('=');
    if (name === 'q' && value !== undefined) {
      const quality = Number(value);
      return Number.isFinite(quality) ? quality : 0;
    }
  }
  return 1;
}
