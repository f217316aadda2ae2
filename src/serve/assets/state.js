// What the page holds between renders, one object per tab, and the server's limits.

// ---------------------------------------------------------------- state

export const S = {
  info: null,
  infoError: null,
  tab: 'check',
  check: {
    main: null, hidden: null, mainUrl: null, hiddenUrl: null,
    seq: 0, busy: false, result: null, error: null, zoneError: {},
    opacity: 50, boxes: true, gps: {}, fix: null,
  },
  batch: { files: [], busy: false, result: null, error: null, sort: { key: 'verdict', dir: 'desc' }, selected: null, zoneError: null, exported: null },
  scan: { running: false, job: null, progress: null, result: null, error: null, decisions: {}, conn: null, hint: null },
  ev: { original: null, originalUrl: null, suspects: [], busy: false, result: null, error: null, zoneError: {} },
};

export const maxUpload = () => (S.info && typeof S.info.max_upload_bytes === 'number' ? S.info.max_upload_bytes : null);
export const gate = () => (S.info && typeof S.info.ssim_threshold === 'number' ? S.info.ssim_threshold : 0.92);
// The copy line from /api/info (Policy.min_copy_similarity); before it answers, the page shows no number.
export const copyLine = () => (S.info && typeof S.info.min_copy_similarity === 'number' ? S.info.min_copy_similarity : null);
