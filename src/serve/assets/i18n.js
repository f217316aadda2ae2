// pairproof serve: every string the page shows, in English (i18n-en.js) and Simplified Chinese
// (i18n-zh.js). Both modules are pairproof's message catalogue (src/i18n/en.json and
// zh-CN.json, which the command line reads too), served by the binary as ES modules.
// Placeholders are written {name}; app.js fills them (numbers are formatted there).
// Keys are identical in both languages (app.js falls back to English for a missing key; a
// unit test of src/i18n and the e2e test check that both dictionaries have the same keys).

import { EN } from './i18n-en.js';
import { ZH } from './i18n-zh.js';

export const LANGS = ['en', 'zh-CN'];

export const STRINGS = { en: EN, 'zh-CN': ZH };
