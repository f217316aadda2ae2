#!/usr/bin/env bash
# Fuzz every target for SECONDS each (default 60), seeding corpora from the fixtures and the
# committed regression inputs. Needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`). Crashers land in fuzz/artifacts/TARGET/; copy each into
# tests/fuzz_regressions/TARGET/ (tests/fuzz_regressions.rs replays them) after fixing it.
#   bash fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
SECS=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(decode pair_rules fingerprint catalogue_row)
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t"
  case "$t" in
    decode|pair_rules)
      # Small seeds: the small fixtures, and (with ImageMagick) 48-px versions of the others in
      # every decoded container, keeping their metadata (EXIF, ICC, 16-bit, alpha, progressive).
      find ../fixtures -maxdepth 2 -type f -size -20k -exec cp -n {} "corpus/$t/" \;
      if command -v convert >/dev/null 2>&1; then
        for f in ../fixtures/*.jpg ../fixtures/*.png; do
          b=$(basename "$f" | tr . _)
          for ext in jpg png gif webp bmp; do
            convert "$f" -resize 48x48 "corpus/$t/$b.$ext" 2>/dev/null || true
          done
        done
        convert ../fixtures/shoe-hidden.jpg -resize 48x48 -interlace Plane "corpus/$t/progressive.jpg"
        convert ../fixtures/shoe-hidden.jpg -resize 48x48 -colorspace Gray "corpus/$t/grey.jpg"
        convert ../fixtures/shoe-hidden.jpg -resize 48x48 -colors 16 "corpus/$t/palette.png"
        convert -delay 10 ../fixtures/shoe-hidden.jpg ../fixtures/shoe-main.jpg -resize 32x32 "corpus/$t/anim.gif"
      fi
      if [ "$t" = pair_rules ]; then
        # The target splits its input at the u16 in its first two bytes: seed it with real
        # pairs (main, hidden) so both halves decode and every rule runs.
        python3 - "corpus/$t" <<'PY'
import itertools, os, struct, sys
d = sys.argv[1]
imgs = sorted(f for f in os.listdir(d) if f.endswith((".jpg", ".png")) and not f.startswith("pair-"))[:12]
for a, b in itertools.islice(itertools.permutations(imgs, 2), 60):
    x, y = open(os.path.join(d, a), "rb").read(), open(os.path.join(d, b), "rb").read()
    if len(x) < 65536:
        open(os.path.join(d, f"pair-{a}-{b}"), "wb").write(struct.pack("<H", len(x)) + x + y)
PY
      fi ;;
    catalogue_row)
      # A real catalogue (schema, records, files, decisions) made by the release binary.
      if [ -x ../target/release/pairproof ]; then
        d=$(mktemp -d)
        cp ../fixtures/shoe-progressive.jpg ../fixtures/shoe-baseline-240.jpg ../fixtures/bad/empty.jpg "$d/"
        ../target/release/pairproof scan "$d" --reference "$d" --catalogue "$d/cat.sqlite" >/dev/null 2>&1 || true
        cp "$d/cat.sqlite" "corpus/$t/seed.sqlite"
        rm -rf "$d"
      fi ;;
  esac
  if [ -d "../tests/fuzz_regressions/$t" ]; then cp -n ../tests/fuzz_regressions/$t/* "corpus/$t/" 2>/dev/null || true; fi
  cargo +nightly fuzz run "$t" -- -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=20 -max_len="${MAX_LEN:-65536}" ${FUZZ_EXTRA:-} -print_final_stats=1 \
    2>&1 | tee "fuzz-$t.log" | grep -E "^(#[0-9]+ +(DONE|pulse)|stat::|==|SUMMARY|Done)" || true
done
