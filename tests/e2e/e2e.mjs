#!/usr/bin/env node
// End-to-end test of the `pairproof serve` page in headless Chromium (playwright-core).
//
//   node tests/e2e/e2e.mjs --url http://127.0.0.1:PORT/ --fixtures fixtures \
//        --scan-root DIR --out-dir DIR [--screenshots DIR] [--chromium /usr/bin/chromium]
//        [--click-not-a-copy] [--headed]
//
// --scan-root must be under one of the server's --root folders and hold shoe-main.jpg,
// shoe-hidden.jpg and an unrelated image. Every step asserts real values; the first failure
// prints a message, saves failure-STEP.png in --out-dir and exits 1.

import { chromium } from 'playwright-core';
import { parseArgs } from 'node:util';
import { createHash } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import fs from 'node:fs';
import path from 'node:path';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    fixtures: { type: 'string' },
    'scan-root': { type: 'string' },
    'out-dir': { type: 'string' },
    screenshots: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    'click-not-a-copy': { type: 'boolean', default: false },
    headed: { type: 'boolean', default: false },
  },
});
for (const k of ['url', 'fixtures', 'scan-root', 'out-dir']) {
  if (!opt[k]) {
    console.error(`usage: node e2e.mjs --url URL --fixtures DIR --scan-root DIR --out-dir DIR [--screenshots DIR]\nmissing --${k}`);
    process.exit(2);
  }
}
const FIX = path.resolve(opt.fixtures);
const OUT = path.resolve(opt['out-dir']);
const SHOTS = opt.screenshots ? path.resolve(opt.screenshots) : null;
const SCAN_ROOT = path.resolve(opt['scan-root']);
fs.mkdirSync(OUT, { recursive: true });
if (SHOTS) fs.mkdirSync(SHOTS, { recursive: true });
const fx = (name) => {
  const p = path.join(FIX, name);
  if (!fs.existsSync(p)) throw new Error(`fixture missing: ${p}`);
  return p;
};
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const CJK = /[\u4e00-\u9fff]/;
const T = 30_000; // per-wait timeout

// ---------------------------------------------------------------- harness

class Fail extends Error {}
function assert(cond, msg) { if (!cond) throw new Fail(msg); }

const t0 = Date.now();
const results = [];
let page;
let browser;

async function step(id, name, fn) {
  const s = Date.now();
  try {
    const detail = await fn();
    const line = `PASS  ${id.padEnd(3)} ${name.padEnd(18)} ${detail || ''} (${((Date.now() - s) / 1000).toFixed(1)} s)`;
    results.push(line);
    console.log(line);
  } catch (e) {
    console.log(`FAIL  ${id.padEnd(3)} ${name.padEnd(18)} ${e instanceof Fail ? e.message : (e && e.stack) || e}`);
    try { if (page) await page.screenshot({ path: path.join(OUT, `failure-${id}.png`), fullPage: true }); } catch (_) { /* ignore */ }
    if (browser) await browser.close().catch(() => {});
    console.log(`e2e: FAILED at step ${id} (${name}) after ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshot: ${path.join(OUT, `failure-${id}.png`)}`);
    process.exit(1);
  }
}

const tid = (id) => `[data-testid="${id}"]`;

async function shot(name) {
  if (!SHOTS) return;
  await page.evaluate(() => document.activeElement && document.activeElement.blur && document.activeElement.blur());
  await page.mouse.move(1, 1);
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function setLang(l) {
  await page.click(tid(l === 'zh-CN' ? 'lang-zh' : 'lang-en'));
  await page.waitForFunction((want) => document.documentElement.lang === want, l, { timeout: T });
}

// Wait until a result container leaves the busy/idle state; fail with the page's error text.
async function waitResult(testid, extra) {
  const sel = `${tid(testid)}[data-state="done"]${extra || ''}, ${tid(testid)}[data-state="error"]`;
  const el = await page.waitForSelector(sel, { timeout: T * 2 }).catch(() => null);
  assert(el, `${testid}: no result within ${T * 2 / 1000} s`);
  const state = await el.getAttribute('data-state');
  if (state === 'error') {
    const text = (await el.innerText()).replace(/\s+/g, ' ').trim();
    throw new Fail(`${testid}: the page shows an error: ${text}`);
  }
  return el;
}

async function checkPair(main, hidden) {
  await page.click(tid('tab-check'));
  await page.setInputFiles(tid('check-main-input'), fx(main));
  await page.setInputFiles(tid('check-hidden-input'), fx(hidden));
  await waitResult('check-result', `[data-main="${main}"][data-hidden="${hidden}"]`);
  const verdict = await page.getAttribute(tid('verdict'), 'data-verdict');
  const ssimText = (await page.textContent(tid('ssim-value'))).trim();
  return { verdict, ssim: parseFloat(ssimText), ssimText };
}

async function download(clickSelector, dir) {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: T }), page.click(clickSelector)]);
  const name = dl.suggestedFilename();
  const file = path.join(dir, name);
  await dl.saveAs(file);
  return { name, file, bytes: fs.readFileSync(file) };
}

// Minimal ZIP reader (stored + deflate, no ZIP64): [{name, data}] with CRC-free size check.
function readZip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert(eocd >= 0, 'zip: no end-of-central-directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let off = buf.readUInt32LE(eocd + 16);
  assert(count !== 0xffff && off !== 0xffffffff, 'zip: ZIP64 not supported by this reader');
  const entries = [];
  for (let n = 0; n < count; n++) {
    assert(buf.readUInt32LE(off) === 0x02014b50, `zip: bad central header ${n}`);
    const method = buf.readUInt16LE(off + 10);
    const csize = buf.readUInt32LE(off + 20);
    const usize = buf.readUInt32LE(off + 24);
    const nlen = buf.readUInt16LE(off + 28);
    const elen = buf.readUInt16LE(off + 30);
    const clen = buf.readUInt16LE(off + 32);
    const local = buf.readUInt32LE(off + 42);
    const name = buf.toString('utf8', off + 46, off + 46 + nlen);
    off += 46 + nlen + elen + clen;
    assert(buf.readUInt32LE(local) === 0x04034b50, `zip: bad local header for ${name}`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + csize);
    let data;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw);
    else throw new Fail(`zip: ${name} uses compression method ${method}`);
    assert(data.length === usize, `zip: ${name} inflates to ${data.length} bytes, header says ${usize}`);
    if (!name.endsWith('/')) entries.push({ name, data });
  }
  return entries;
}

function verifyBundle(bytes) {
  const entries = readZip(bytes);
  const byName = new Map(entries.map((e) => [e.name, e.data]));
  const sums = byName.get('SHA256SUMS');
  assert(sums, `zip has no SHA256SUMS (entries: ${[...byName.keys()].join(', ')})`);
  const lines = sums.toString('utf8').split('\n').filter((l) => l.trim() !== '');
  assert(lines.length > 0, 'SHA256SUMS is empty');
  const listed = new Set();
  for (const line of lines) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.replace(/\r$/, ''));
    assert(m, `SHA256SUMS: malformed line ${JSON.stringify(line)}`);
    const data = byName.get(m[2]);
    assert(data, `SHA256SUMS names ${m[2]}, which is not in the zip`);
    const got = sha256(data);
    assert(got === m[1], `SHA256SUMS: ${m[2]} is ${got}, listed as ${m[1]}`);
    listed.add(m[2]);
  }
  const unlisted = [...byName.keys()].filter((n) => n !== 'SHA256SUMS' && !listed.has(n));
  assert(!unlisted.length, `files not covered by SHA256SUMS: ${unlisted.join(', ')}`);
  const report = byName.get('report.json');
  assert(report, 'zip has no report.json');
  return { lines: lines.length, entries: entries.length, report: JSON.parse(report.toString('utf8')), byName };
}

// ---------------------------------------------------------------- run

browser = await chromium.launch({
  executablePath: opt.chromium,
  headless: !opt.headed,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 }, acceptDownloads: true, deviceScaleFactor: 1 });
page = await context.newPage();
const pageErrors = [];
const cspErrors = [];
const consoleErrors = [];
page.on('pageerror', (e) => pageErrors.push(String(e && e.message || e)));
page.on('console', (m) => {
  if (m.type() !== 'error') return;
  const text = m.text();
  if (/Content Security Policy|Refused to/i.test(text)) cspErrors.push(text);
  else consoleErrors.push(text);
});

await step('0', 'load', async () => {
  const res = await page.goto(opt.url, { waitUntil: 'load', timeout: T });
  assert(res && res.ok(), `GET ${opt.url} answered ${res && res.status()}`);
  const csp = res.headers()['content-security-policy'] || '';
  await page.waitForSelector('body[data-ready="true"]', { timeout: T });
  const globalErr = await page.isVisible(tid('global-error'));
  assert(!globalErr, `the page shows a start-up error: ${globalErr ? await page.innerText(tid('global-error')) : ''}`);
  const htmlLang = await page.evaluate(() => document.documentElement.lang);
  assert(htmlLang === 'en', `default language for an en-US browser should be en, got ${htmlLang}`);
  // both dictionaries have the same keys
  const diff = await page.evaluate(async () => {
    const { STRINGS } = await import('/assets/i18n.js');
    const en = Object.keys(STRINGS.en); const zh = Object.keys(STRINGS['zh-CN']);
    return { onlyEn: en.filter((k) => !(k in STRINGS['zh-CN'])), onlyZh: zh.filter((k) => !(k in STRINGS.en)), n: en.length };
  });
  assert(!diff.onlyEn.length && !diff.onlyZh.length, `i18n keys differ: only en ${diff.onlyEn.join(',')} / only zh-CN ${diff.onlyZh.join(',')}`);
  const roots = await page.$$eval(tid('scan-root-chip'), (els) => els.map((e) => e.textContent));
  return `${diff.n} strings in both languages; roots ${JSON.stringify(roots)}; CSP ${csp ? 'set' : 'NOT SET'}`;
});

await step('a', 'check-pass', async () => {
  const r = await checkPair('shoe-main.jpg', 'shoe-hidden.jpg');
  assert(r.verdict === 'pass', `verdict ${r.verdict}, expected pass`);
  assert(r.ssim > 0.99 && r.ssim <= 1, `SSIM shown "${r.ssimText}", expected > 0.99`);
  const title = (await page.textContent(tid('verdict-title'))).trim();
  assert(title && !CJK.test(title), `verdict title "${title}" should be English`);
  const todo = await page.$$(`${tid('findings-todo')} ${tid('finding')}`);
  assert(todo.length === 0, `a passing pair lists ${todo.length} rule(s) to fix`);
  let heat = 'no heatmap';
  if (await page.$(tid('heatmap-img'))) {
    await page.waitForFunction(() => {
      const o = document.querySelector('[data-testid="heatmap-img"]'); const b = document.querySelector('.heat-base');
      return o && b && o.complete && b.complete && o.naturalWidth > 0 && b.naturalWidth > 0;
    }, null, { timeout: T });
    const dims = await page.evaluate(() => {
      const o = document.querySelector('[data-testid="heatmap-img"]'); const b = document.querySelector('.heat-base');
      return { ow: o.naturalWidth, oh: o.naturalHeight, bw: b.naturalWidth, bh: b.naturalHeight };
    });
    assert(dims.ow === dims.bw && dims.oh === dims.bh, `heatmap is ${dims.ow}×${dims.oh}, main image ${dims.bw}×${dims.bh}`);
    await page.fill(tid('heatmap-opacity'), '30');
    const op = await page.$eval(tid('heatmap-img'), (e) => getComputedStyle(e).opacity);
    assert(Math.abs(parseFloat(op) - 0.3) < 0.01, `opacity slider at 30 % gives opacity ${op}`);
    await page.fill(tid('heatmap-opacity'), '50');
    heat = `heatmap ${dims.ow}×${dims.oh}`;
  }
  return `verdict=pass ssim=${r.ssimText} ${heat}`;
});

await step('a2', 'gps-strip', async () => {
  const r = await checkPair('shoe-main.jpg', 'shoe-hidden-gps.jpg');
  assert(r.verdict === 'fail', `verdict ${r.verdict}, expected fail (GPS in the hidden image)`);
  const gps = await page.$(`${tid('findings-todo')} [data-rule="metadata.gps"][data-status="fail"]`);
  assert(gps, 'metadata.gps is not listed as failing');
  assert(!(await page.$(tid('strip-gps-main'))), 'a Remove-GPS button is offered for the main image, which has no GPS');
  const dir = path.join(OUT, 'gps');
  fs.mkdirSync(dir, { recursive: true });
  const d = await download(tid('strip-gps-hidden'), dir);
  assert(d.name === 'shoe-hidden-gps-nogps.jpg', `cleaned file named ${d.name}, expected shoe-hidden-gps-nogps.jpg`);
  const want = sha256(fs.readFileSync(fx('shoe-hidden.jpg')));
  assert(sha256(d.bytes) === want, `cleaned file sha256 ${sha256(d.bytes)} should equal shoe-hidden.jpg's ${want} (same JPEG without the EXIF block)`);
  await page.waitForSelector(tid('strip-gps-done-hidden'), { timeout: T });
  return `metadata.gps fail → ${d.name} ${d.bytes.length} B, sha256 = shoe-hidden.jpg`;
});

await step('a3', 'check-fix', async () => {
  // the Fix button: GPS removed from a copy, the written pair checked again, the copy downloaded
  // (a different main from step a2's, so a new check runs)
  const r = await checkPair('shoe-main-promo.jpg', 'shoe-hidden-gps.jpg');
  assert(r.verdict === 'fail', `verdict ${r.verdict}, expected fail (GPS in the hidden image)`);
  await page.click(tid('check-fix'));
  await page.waitForSelector(tid('fix-result'), { timeout: T });
  const after = await page.getAttribute(tid('fix-result'), 'data-after');
  // the promo main's overlays keep SSIM just above the gate: a pass with a warning
  assert(after === 'pass' || after === 'warn', `after the fixes the pair is ${after}, expected pass`);
  const actions = await page.$$eval(`${tid('fix-actions')} li`, (els) => els.map((e) => e.dataset.action));
  assert(actions.length === 1 && actions[0] === 'gps_removed', `fix actions ${JSON.stringify(actions)}, expected [gps_removed]`);
  const dir = path.join(OUT, 'fix');
  fs.mkdirSync(dir, { recursive: true });
  const d = await download(tid('fix-download-hidden'), dir);
  assert(d.name === 'shoe-hidden-gps.jpg', `fixed hidden image named ${d.name}, expected shoe-hidden-gps.jpg`);
  const before = fs.statSync(fx('shoe-hidden-gps.jpg')).size;
  assert(d.bytes[0] === 0xff && d.bytes[1] === 0xd8, 'the fixed hidden image is not a JPEG');
  assert(d.bytes.length < before, `the fixed hidden image (${d.bytes.length} B) should be smaller than the input (${before} B): its GPS block is gone`);
  return `metadata.gps fail → Fix → pass; ${d.name} ${d.bytes.length} B (was ${before} B)`;
});

await step('b', 'check-fail', async () => {
  const r = await checkPair('shoe-main-promo.jpg', 'shoe-hidden-q40.jpg');
  assert(r.verdict === 'fail', `verdict ${r.verdict}, expected fail`);
  assert(r.ssim < 0.92, `SSIM shown "${r.ssimText}", expected < 0.92`);
  const ssimRule = await page.$(`${tid('findings-todo')} [data-rule="ssim"][data-status="fail"]`);
  assert(ssimRule, 'the ssim rule is not listed as failing');
  const msg = (await ssimRule.innerText()).replace(/\s+/g, ' ');
  assert(msg.includes(r.ssimText), `ssim finding "${msg}" does not show the SSIM ${r.ssimText}`);
  const failing = await page.$$eval(`${tid('findings-todo')} [data-status="fail"]`, (els) => els.map((e) => e.dataset.rule));
  const boxes = await page.$$(tid('region-box'));
  assert(boxes.length > 0, 'no difference regions outlined for a failing pair');
  const band = await page.getAttribute(tid('ssim-band'), 'data-band').catch(() => null);
  await shot('serve-check-en');
  return `verdict=fail ssim=${r.ssimText} band=${band} failing=[${failing.join(', ')}] regions=${boxes.length}`;
});

await step('c', 'language', async () => {
  await setLang('zh-CN');
  const tab = (await page.textContent(tid('tab-check'))).trim();
  assert(tab.includes('配对检查'), `tab text in Chinese should be 配对检查, got "${tab}"`);
  const tabs = await page.$$eval('[role=tab]', (els) => els.map((e) => e.textContent.trim()));
  assert(JSON.stringify(tabs) === JSON.stringify(['配对检查', '批量', '扫描', '证据']), `tabs: ${tabs.join(' / ')}`);
  const title = (await page.textContent(tid('verdict-title'))).trim();
  assert(CJK.test(title), `verdict title "${title}" is not Chinese`);
  assert((await page.getAttribute(tid('verdict'), 'data-verdict')) === 'fail', 'verdict changed when switching language');
  const ssimMsg = await page.textContent(`[data-rule="ssim"] ${tid('finding-message')}`);
  assert(CJK.test(ssimMsg), `ssim message not translated: "${ssimMsg}"`);
  const english = await page.$$eval(tid('finding-message'), (els) => els.map((e) => e.textContent).filter((s) => !/[\u4e00-\u9fff]/.test(s)));
  assert(!english.length, `untranslated finding messages: ${english.join(' | ')}`);
  const stored = await page.evaluate(() => localStorage.getItem('pairproof.lang'));
  assert(stored === 'zh-CN', `language not remembered (localStorage ${stored})`);
  await shot('serve-check-zh-CN');
  await setLang('en');
  const back = (await page.textContent(tid('tab-check'))).trim();
  assert(back === 'Pair check', `tab text after switching back: "${back}"`);
  return `zh-CN: "${title}", tabs ${tabs.join('/')}; back to en: "${back}"`;
});

await step('f', 'batch', async () => {
  await page.click(tid('tab-batch'));
  const file = (name, fixture) => ({ name, mimeType: 'image/jpeg', buffer: fs.readFileSync(fx(fixture)) });
  await page.setInputFiles(tid('batch-input'), [
    file('A1_main.jpg', 'shoe-main.jpg'), file('A1_hidden.jpg', 'shoe-hidden.jpg'),
    file('B2_main.jpg', 'shoe-main-promo.jpg'), file('B2_hidden.jpg', 'shoe-hidden-q40.jpg'),
    file('C3-main.jpg', 'shoe-main.jpg'), file('C3-hidden.jpg', 'shoe-hidden-gps.jpg'),
    file('D4_main.jpg', 'shoe-main.jpg'),
  ]);
  await page.click(tid('batch-run'));
  await waitResult('batch-result');
  const rows = await page.$$eval(tid('batch-row'), (els) => els.map((e) => ({ label: e.dataset.label, verdict: e.dataset.verdict, ssim: e.dataset.ssim })));
  const by = Object.fromEntries(rows.map((r) => [r.label, r]));
  assert(rows.length === 3, `expected 3 pairs, table has ${rows.length}: ${JSON.stringify(rows)}`);
  assert(by.A1 && by.A1.verdict === 'pass', `A1 should pass: ${JSON.stringify(by.A1)}`);
  assert(by.B2 && by.B2.verdict === 'fail', `B2 should fail: ${JSON.stringify(by.B2)}`);
  assert(by.C3 && by.C3.verdict === 'fail', `C3 should fail (GPS): ${JSON.stringify(by.C3)}`);
  const problems = await page.$$eval(tid('batch-problem'), (els) => els.map((e) => `${e.dataset.code} ${e.textContent}`));
  assert(problems.some((p) => p.startsWith('E_PAIR_INCOMPLETE') && p.includes('D4')), `D4 should be reported as E_PAIR_INCOMPLETE: ${problems.join(' | ')}`);
  // sort by SSIM, ascending
  await page.click(tid('batch-sort-ssim'));
  const ssims = await page.$$eval(tid('batch-row'), (els) => els.map((e) => parseFloat(e.dataset.ssim)));
  assert(ssims.every((v, i) => i === 0 || ssims[i - 1] <= v), `SSIM column not sorted ascending: ${ssims}`);
  // CSV
  const csvDir = path.join(OUT, 'csv');
  fs.mkdirSync(csvDir, { recursive: true });
  const csv = await download(tid('batch-export'), csvDir);
  assert(csv.bytes[0] === 0xef && csv.bytes[1] === 0xbb && csv.bytes[2] === 0xbf, 'CSV does not start with a UTF-8 BOM');
  const lines = csv.bytes.toString('utf8').slice(1).split(/\r\n/).filter(Boolean);
  assert(lines.length === 4, `CSV has ${lines.length} lines, expected header + 3`);
  assert(/B2/.test(lines[1]), `CSV rows should follow the table's SSIM order (B2 first): ${lines[1]}`);
  await page.click(`${tid('batch-row')}[data-label="B2"]`);
  await page.waitForSelector(tid('batch-details'), { timeout: T });
  await shot('serve-batch-en');
  await setLang('zh-CN');
  const csvZh = await download(tid('batch-export'), csvDir);
  const headZh = csvZh.bytes.toString('utf8').slice(1).split(/\r\n/)[0];
  assert(headZh.includes('商品'), `Chinese CSV header: ${headZh}`);
  await shot('serve-batch-zh-CN');
  await setLang('en');
  return `${rows.map((r) => `${r.label}=${r.verdict}`).join(' ')}; D4 E_PAIR_INCOMPLETE; CSV ${csv.name} ${lines.length} lines with BOM`;
});

await step('d', 'scan', async () => {
  await page.click(tid('tab-scan'));
  const roots = await page.$$eval(tid('scan-root-chip'), (els) => els.map((e) => e.textContent));
  assert(roots.length > 0, 'no allowed roots listed');
  const pre = await page.inputValue(tid('scan-root'));
  assert(pre === roots[0], `folder field prefilled with "${pre}", expected the first root "${roots[0]}"`);
  // a folder outside the roots is refused
  let refused = 'skipped (a root is /)';
  if (!roots.includes('/')) {
    await page.fill(tid('scan-root'), '/');
    await page.click(tid('scan-start'));
    const e = await page.waitForSelector(`${tid('scan-result')}[data-state="error"] ${tid('scan-error')}`, { timeout: T });
    const code = await e.getAttribute('data-code');
    assert(code === 'E_PATH_OUTSIDE_ROOTS', `scanning / gave ${code}, expected E_PATH_OUTSIDE_ROOTS`);
    refused = 'E_PATH_OUTSIDE_ROOTS';
  }
  await page.fill(tid('scan-root'), SCAN_ROOT);
  await page.fill(tid('scan-reference'), '');
  // record the progress stages the page shows
  await page.evaluate(() => {
    window.__stages = new Set();
    window.__progressSeen = false;
    const obs = new MutationObserver(() => {
      const p = document.querySelector('[data-testid="scan-progress"]');
      if (p) { window.__progressSeen = true; window.__stages.add(p.dataset.stage); }
    });
    obs.observe(document.querySelector('[data-testid="scan-progress-box"]'), { childList: true, subtree: true, attributes: true });
  });
  await page.click(tid('scan-start'));
  await waitResult('scan-result');
  const stages = await page.evaluate(() => [...window.__stages]);
  const seen = await page.evaluate(() => window.__progressSeen);
  assert(seen, 'no progress bar was shown while scanning');
  const groups = await page.$$eval(tid('scan-group'), (els) => els.map((e) => ({
    members: Number(e.dataset.members),
    paths: [...e.querySelectorAll('[data-testid="scan-member"]')].map((m) => m.dataset.path),
    sims: [...e.querySelectorAll('[data-testid="pair-similarity"]')].map((s) => s.textContent),
  })));
  assert(groups.length > 0, 'no group of copies found');
  const g = groups.find((x) => x.members >= 2);
  assert(g, `no group with 2 members: ${JSON.stringify(groups)}`);
  const both = groups.find((x) => x.paths.some((p) => p.endsWith('/shoe-main.jpg')) && x.paths.some((p) => p.endsWith('/shoe-hidden.jpg')));
  assert(both, `shoe-main.jpg and shoe-hidden.jpg are not in one group: ${JSON.stringify(groups)}`);
  // thumbnails load through /api/image
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="scan-thumb"]')].some((i) => i.complete && i.naturalWidth > 0), null, { timeout: T })
    .catch(() => { throw new Fail('no thumbnail loaded from /api/image'); });
  const words = await page.$$eval(tid('pair-transform'), (els) => els.map((e) => e.textContent));
  let decided = '';
  if (opt['click-not-a-copy']) {
    await page.click(`${tid('not-a-copy')} >> nth=0`);
    await page.waitForSelector(`${tid('not-a-copy')}[disabled]:has-text("Recorded")`, { timeout: T });
    decided = '; "Not a copy" recorded';
  }
  await shot('serve-scan-en');
  await setLang('zh-CN');
  const zhTitle = await page.textContent(`${tid('scan-group')} .group-title`);
  assert(CJK.test(zhTitle), `group title not translated: ${zhTitle}`);
  await shot('serve-scan-zh-CN');
  await setLang('en');
  return `outside root → ${refused}; stages [${stages.join(', ')}]; ${groups.length} group(s), first ${both.members} members, ${both.sims.join(', ')} (${words[0]})${decided}`;
});

await step('e', 'evidence', async () => {
  await page.click(tid('tab-evidence'));
  await page.setInputFiles(tid('evidence-original-input'), fx('shoe-main.jpg'));
  await page.setInputFiles(tid('evidence-suspect-input'), fx('shoe-hidden.jpg'));
  await page.click(tid('evidence-run'));
  await waitResult('evidence-result');
  const info = await page.$eval(tid('evidence-file'), (e) => ({ name: e.dataset.name, size: Number(e.dataset.size), text: e.textContent }));
  assert(/\.zip$/.test(info.name), `offered file name ${info.name}`);
  const d = await download(tid('evidence-download'), OUT);
  assert(d.name === info.name, `downloaded as ${d.name}, page says ${info.name}`);
  assert(d.bytes.length === info.size, `downloaded ${d.bytes.length} bytes, page says ${info.size}`);
  const v = verifyBundle(d.bytes);
  assert(v.report.lang === 'en', `report.json lang ${v.report.lang}, expected en`);
  await shot('serve-evidence-en');
  // the bundle follows the page language
  await setLang('zh-CN');
  await page.click(tid('evidence-run'));
  await waitResult('evidence-result');
  const zhDir = path.join(OUT, 'zh-CN');
  fs.mkdirSync(zhDir, { recursive: true });
  const dz = await download(tid('evidence-download'), zhDir);
  const vz = verifyBundle(dz.bytes);
  assert(vz.report.lang === 'zh-CN', `report.json lang ${vz.report.lang}, expected zh-CN`);
  await shot('serve-evidence-zh-CN');
  await setLang('en');
  return `${d.name} ${d.bytes.length} B, ${v.entries} entries, ${v.lines} SHA256SUMS lines verified; zh-CN bundle ${vz.lines} lines verified`;
});

await step('g', 'lang-url', async () => {
  const p2 = await context.newPage();
  const u = new URL(opt.url);
  u.searchParams.set('lang', 'zh-CN');
  await p2.goto(u.toString(), { waitUntil: 'load', timeout: T });
  await p2.waitForSelector('body[data-ready="true"]', { timeout: T });
  const l = await p2.evaluate(() => document.documentElement.lang);
  const tab = (await p2.textContent(tid('tab-scan'))).trim();
  await p2.close();
  assert(l === 'zh-CN' && tab === '扫描', `?lang=zh-CN gave lang=${l}, scan tab "${tab}"`);
  return '?lang=zh-CN → 中文';
});

await step('h', 'console', async () => {
  assert(!pageErrors.length, `uncaught page errors: ${pageErrors.join(' | ')}`);
  assert(!cspErrors.length, `CSP violations: ${cspErrors.join(' | ')}`);
  return consoleErrors.length ? `${consoleErrors.length} console error(s) (e.g. expected 403): ${consoleErrors.slice(0, 2).join(' | ')}` : 'no page errors, no CSP violations';
});

await browser.close();
console.log(`e2e: all ${results.length} steps passed in ${((Date.now() - t0) / 1000).toFixed(1)} s${SHOTS ? `; screenshots in ${SHOTS}` : ''}`);
