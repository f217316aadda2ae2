//! `pairproof serve`: the safety rules over real HTTP (roots and path traversal, Host/Origin,
//! token, upload caps, hostile files), the pair check equal to the library's, then the page
//! end to end in headless Chromium (tests/e2e/e2e.mjs) and a bounded load test
//! (benches/serve_load.mjs: 200 pair checks from 8 clients; latency recorded, never asserted).
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_pairproof");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(args: &[&str], catalogue: &Path) -> Server {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(["--port", "0"])
        .args(args)
        .env("PAIRPROOF_CATALOGUE", catalogue)
        .env_remove("PAIRPROOF_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("pairproof serve: http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    let addr = url.split('/').next().unwrap().to_string();
    Server { child, addr }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal HTTP/1.1 client (one request per connection), enough for these tests.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("Host: {addr}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    // The server may answer (413) before reading a large body; ignore a reset while sending.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(p) = rest.windows(2).position(|w| w == b"\r\n") {
            let n =
                usize::from_str_radix(std::str::from_utf8(&rest[..p]).unwrap().trim(), 16).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&rest[p + 2..p + 2 + n]);
            rest = &rest[p + 4 + n..];
        }
        body = out;
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let b = "pairproof-test-boundary-7d1f";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"").bytes());
        if let Some(f) = file {
            body.extend(
                format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream").bytes(),
            );
        }
        body.extend(b"\r\n\r\n");
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{b}--\r\n").bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

fn post_files(addr: &str, path: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Reply {
    let (ct, body) = multipart(parts);
    http(addr, "POST", path, &[("Content-Type", &ct)], &body)
}

fn post_json(addr: &str, path: &str, body: &str) -> Reply {
    http(
        addr,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(ROOT).join("fixtures").join(name)).unwrap()
}

fn enc(p: &str) -> String {
    p.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn non_loopback_address_needs_a_token() {
    let out = Command::new(BIN)
        .args(["serve", "--port", "0", "--bind", "0.0.0.0"])
        .env_remove("PAIRPROOF_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[E_USAGE]") && err.contains("--token"),
        "{err}"
    );
}

#[test]
fn no_path_outside_the_roots_is_ever_read() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("root");
    std::fs::create_dir_all(root.join("shop")).unwrap();
    std::fs::write(root.join("shop/a.jpg"), fixture("shoe-main.jpg")).unwrap();
    let outside = t.path().join("secret");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("s.jpg"), fixture("shoe-hidden.jpg")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("link")).unwrap();
    std::os::unix::fs::symlink(outside.join("s.jpg"), root.join("shop/s-link.jpg")).unwrap();
    let s = serve(
        &["--root", root.to_str().unwrap()],
        &t.path().join("c.sqlite"),
    );
    let r = root.display().to_string();
    let o = outside.display().to_string();
    let forbidden = [
        "/etc/passwd".to_string(),
        format!("{r}/../secret/s.jpg"),
        format!("{r}/shop/../../secret/s.jpg"),
        format!("{r}/link/s.jpg"),
        format!("{r}/shop/s-link.jpg"),
        format!("{o}/s.jpg"),
        "shop/a.jpg".to_string(),
        format!("{r}/../root-and-more/x.jpg"),
        format!("{r}/../nonexistent.jpg"),
    ];
    for p in &forbidden {
        let rep = http(
            &s.addr,
            "GET",
            &format!("/api/image?path={}", enc(p)),
            &[],
            b"",
        );
        assert_eq!(rep.status, 403, "{p}");
        assert_eq!(rep.json()["code"], "E_PATH_OUTSIDE_ROOTS", "{p}");
        let body = format!("{{\"root\":\"{p}\"}}");
        let rep = post_json(&s.addr, "/api/scan", &body);
        assert_eq!(rep.status, 403, "scan {p}");
        let body = format!("{{\"a\":\"{p}\",\"b\":\"{r}/shop/a.jpg\"}}");
        let rep = post_json(&s.addr, "/api/decision", &body);
        assert_eq!(rep.status, 403, "decision {p}");
    }
    // Inside the root: a real thumbnail; a missing file is 404.
    let rep = http(
        &s.addr,
        "GET",
        &format!("/api/image?path={}", enc(&format!("{r}/shop/a.jpg"))),
        &[],
        b"",
    );
    assert_eq!(rep.status, 200);
    assert_eq!(rep.header("content-type"), Some("image/jpeg"));
    let thumb = image::load_from_memory(&rep.body).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (256, 256));
    let rep = http(
        &s.addr,
        "GET",
        &format!("/api/image?path={}", enc(&format!("{r}/shop/none.jpg"))),
        &[],
        b"",
    );
    assert_eq!(rep.status, 404);
    assert_eq!(rep.json()["code"], "E_NOT_FOUND");
}

#[test]
fn hosts_origins_tokens_and_headers() {
    let t = tempfile::tempdir().unwrap();
    let s = serve(&[], &t.path().join("c.sqlite"));
    let ok = http(&s.addr, "GET", "/api/info", &[], b"");
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["schema"], "pairproof.serve-info/1");
    for (k, v) in [
        ("content-security-policy", "default-src 'self'"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert!(ok.header(k).unwrap_or("").contains(v), "{k}");
    }
    // DNS rebinding: a page served as evil.example resolving to 127.0.0.1.
    let rep = http(
        &s.addr,
        "GET",
        "/api/info",
        &[("Host", "evil.example")],
        b"",
    );
    assert_eq!(
        (rep.status, rep.json()["code"].clone()),
        (403, "E_TOKEN".into())
    );
    // Cross-site form post.
    let (ct, body) = multipart(&[
        ("main", Some("a.jpg"), b"x"),
        ("hidden", Some("b.jpg"), b"y"),
    ]);
    let rep = http(
        &s.addr,
        "POST",
        "/api/check",
        &[("Content-Type", &ct), ("Origin", "http://evil.example")],
        &body,
    );
    assert_eq!(rep.status, 403);
    let page = http(&s.addr, "GET", "/", &[], b"");
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("/assets/app.js"));
    let js = http(&s.addr, "GET", "/assets/app.js", &[], b"");
    assert_eq!(
        js.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    // every module the page imports, transitively, is served as JavaScript
    let mut todo = vec!["app.js".to_string()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let r = http(&s.addr, "GET", &format!("/assets/{name}"), &[], b"");
        assert_eq!(r.status, 200, "{name}");
        assert_eq!(
            r.header("content-type"),
            Some("text/javascript; charset=utf-8"),
            "{name}"
        );
        let text = String::from_utf8_lossy(&r.body).to_string();
        for line in text.lines().filter(|l| l.starts_with("import ")) {
            let from = line.rsplit("from './").next().unwrap_or("");
            todo.push(from.trim_end_matches("';").to_string());
        }
    }
    assert!(seen.len() >= 10, "{seen:?}");
    let none = http(&s.addr, "GET", "/api/nothing-here", &[], b"");
    assert_eq!(
        (none.status, none.json()["code"].clone()),
        (404, "E_NOT_FOUND".into())
    );
    drop(s);

    let s = serve(&["--token", "s3cret"], &t.path().join("c.sqlite"));
    let rep = http(&s.addr, "GET", "/api/info", &[], b"");
    assert_eq!(
        (rep.status, rep.json()["code"].clone()),
        (403, "E_TOKEN".into())
    );
    let rep = http(
        &s.addr,
        "GET",
        "/api/info",
        &[("X-Pairproof-Token", "wrong!")],
        b"",
    );
    assert_eq!(rep.status, 403);
    let rep = http(
        &s.addr,
        "GET",
        "/api/info",
        &[("X-Pairproof-Token", "s3cret")],
        b"",
    );
    assert_eq!(rep.status, 200);
    // The page itself holds no data and loads without the token (it then sends it).
    assert_eq!(http(&s.addr, "GET", "/", &[], b"").status, 200);
}

#[test]
fn uploads_are_capped_and_hostile_files_get_codes_not_crashes() {
    let t = tempfile::tempdir().unwrap();
    let s = serve(&["--max-upload-mb", "1"], &t.path().join("c.sqlite"));
    let big = vec![0u8; 1_500_000];
    let rep = post_files(
        &s.addr,
        "/api/check",
        &[
            ("main", Some("huge.jpg"), &big),
            ("hidden", Some("b.jpg"), b"x"),
        ],
    );
    assert_eq!(rep.status, 413);
    let j = rep.json();
    assert_eq!(j["code"], "E_UPLOAD_TOO_LARGE");
    assert_eq!(j["file"], "huge.jpg");

    let rep = post_files(&s.addr, "/api/check", &[("main", Some("a.jpg"), b"x")]);
    assert_eq!(
        (rep.status, rep.json()["code"].clone()),
        (400, "E_UPLOAD_MISSING".into())
    );

    let png = common::bad::png(&common::cases::scene(200, 200, 5));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "half.png",
            png[..png.len() / 2].to_vec(),
            "E_DECODE_TRUNCATED",
        ),
        (
            "text.jpg",
            b"not an image at all".to_vec(),
            "E_FORMAT_UNRECOGNIZED",
        ),
        ("empty.png", vec![], "E_FILE_EMPTY"),
    ];
    let good = fixture("shoe-hidden.jpg");
    for (name, bytes, code) in &cases {
        let rep = post_files(
            &s.addr,
            "/api/check",
            &[
                ("main", Some(name), bytes),
                ("hidden", Some("h.jpg"), &good),
            ],
        );
        assert_eq!(rep.status, 200, "{name}");
        let r = &rep.json()["report"];
        assert_eq!(r["verdict"], "error", "{name}");
        assert_eq!(r["errors"][0]["code"], *code, "{name}");
        assert_eq!(
            r["errors"][0]["path"], *name,
            "{name}: the message names the uploaded file"
        );
    }
    // A zip whose entry is larger than the per-file cap.
    let mut z = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut z);
        w.start_file("X_main.jpg", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&vec![7u8; 1_200_000]).unwrap();
        w.finish().unwrap();
    }
    let zbytes = z.into_inner();
    let rep = post_files(
        &s.addr,
        "/api/batch",
        &[("files", Some("shop.zip"), &zbytes)],
    );
    assert_eq!(
        (rep.status, rep.json()["code"].clone()),
        (413, "E_UPLOAD_TOO_LARGE".into())
    );
    // Path traversal inside a zip is reduced to base names; GPS strip of a decode failure is a code.
    let rep = post_files(
        &s.addr,
        "/api/strip-gps",
        &[("file", Some("../../x.jpg"), b"junk")],
    );
    assert_eq!(rep.status, 422);
    assert_eq!(rep.json()["file"], "x.jpg");
    // Still serving.
    assert_eq!(http(&s.addr, "GET", "/api/info", &[], b"").status, 200);
}

#[test]
fn pair_check_equals_the_library_and_strip_returns_verified_bytes() {
    let t = tempfile::tempdir().unwrap();
    let s = serve(&[], &t.path().join("c.sqlite"));
    let fx = Path::new(ROOT).join("fixtures");
    for (m, h, verdict) in [
        ("shoe-main.jpg", "shoe-hidden.jpg", "pass"),
        ("shoe-main-promo.jpg", "shoe-hidden-q40.jpg", "fail"),
    ] {
        let rep = post_files(
            &s.addr,
            "/api/check",
            &[
                ("main", Some(m), &fixture(m)),
                ("hidden", Some(h), &fixture(h)),
            ],
        );
        assert_eq!(rep.status, 200);
        let doc = rep.json();
        assert_eq!(doc["schema"], "pairproof.serve-check/1");
        let lib = pairproof::check::check_pair(
            &fx.join(m),
            &fx.join(h),
            &Default::default(),
            &Default::default(),
            pairproof::check::CheckOptions { keep_map: true },
        );
        assert_eq!(doc["report"]["verdict"], verdict);
        assert_eq!(
            doc["report"]["ssim"]["luma"].as_f64().unwrap(),
            lib.report.ssim.unwrap().luma,
            "same function, same bytes: identical SSIM"
        );
        let ids = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|f| format!("{}={}", f["id"], f["status"]))
                .collect()
        };
        assert_eq!(
            ids(&doc["report"]["findings"]),
            ids(&serde_json::to_value(&lib.report.findings).unwrap())
        );
        let url = doc["heatmap_png"].as_str().unwrap();
        use base64::Engine;
        let png = base64::engine::general_purpose::STANDARD
            .decode(url.strip_prefix("data:image/png;base64,").unwrap())
            .unwrap();
        let hm = image::load_from_memory(&png).unwrap();
        assert_eq!(
            (hm.width(), hm.height()),
            (1000, 1000),
            "heatmap is the main image's size"
        );
    }
    let rep = post_files(
        &s.addr,
        "/api/strip-gps",
        &[(
            "file",
            Some("商品-gps.jpg"),
            &fixture("shoe-hidden-gps.jpg"),
        )],
    );
    assert_eq!(rep.status, 200);
    assert!(rep
        .header("content-disposition")
        .unwrap()
        .contains("filename*=UTF-8''%E5%95%86%E5%93%81-gps-nogps.jpg"));
    let d = pairproof::decode::decode_bytes(Path::new("x.jpg"), &rep.body, &Default::default())
        .unwrap();
    assert!(!d.has_gps());
    let before =
        pairproof::decode::decode_path(&fx.join("shoe-hidden-gps.jpg"), &Default::default())
            .unwrap();
    assert_eq!(
        d.pixels.as_raw(),
        before.pixels.as_raw(),
        "pixels untouched"
    );
}

fn e2e_ready() -> Result<(), String> {
    let modules = Path::new(ROOT).join("tests/e2e/node_modules/playwright-core");
    if !modules.exists() {
        return Err("run `npm ci --prefix tests/e2e` (.ci/run does)".into());
    }
    if !Path::new("/usr/bin/chromium").exists() {
        return Err("install Debian's chromium (.ci/run does)".into());
    }
    Ok(())
}

#[test]
fn page_end_to_end_in_chromium_and_load_test() {
    if let Err(e) = e2e_ready() {
        panic!("end-to-end test needs its tools: {e}");
    }
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("root");
    let shop = root.join("shop");
    std::fs::create_dir_all(&shop).unwrap();
    for f in ["shoe-main.jpg", "shoe-hidden.jpg"] {
        std::fs::write(shop.join(f), fixture(f)).unwrap();
    }
    common::cases::scene(640, 480, 9)
        .save(shop.join("unrelated.png"))
        .unwrap();
    let s = serve(
        &["--root", root.to_str().unwrap()],
        &t.path().join("c.sqlite"),
    );
    let url = format!("http://{}/", s.addr);
    let out_dir: PathBuf = t.path().join("out");
    let shots = std::env::var("PAIRPROOF_SCREENSHOTS").ok();
    let mut cmd = Command::new("node");
    cmd.arg(Path::new(ROOT).join("tests/e2e/e2e.mjs"))
        .args(["--url", &url])
        .arg("--fixtures")
        .arg(Path::new(ROOT).join("fixtures"))
        .arg("--scan-root")
        .arg(&shop)
        .arg("--out-dir")
        .arg(&out_dir);
    if let Some(d) = &shots {
        cmd.args(["--screenshots", d]);
    }
    let e2e = cmd.output().unwrap();
    let log =
        String::from_utf8_lossy(&e2e.stdout).to_string() + &String::from_utf8_lossy(&e2e.stderr);
    assert!(e2e.status.success(), "e2e failed:\n{log}");
    assert!(log.contains("all 11 steps passed"), "{log}");

    let load = Command::new("node")
        .arg(Path::new(ROOT).join("benches/serve_load.mjs"))
        .args(["--url", &url, "--n", "200", "--c", "8", "--json"])
        .arg("--main")
        .arg(Path::new(ROOT).join("fixtures/shoe-main.jpg"))
        .arg("--hidden")
        .arg(Path::new(ROOT).join("fixtures/shoe-hidden.jpg"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&load.stdout);
    assert!(
        load.status.success(),
        "load test: {text} {}",
        String::from_utf8_lossy(&load.stderr)
    );
    let doc: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(
        (doc["ok"].as_u64(), doc["errors"].as_u64()),
        (Some(200), Some(0))
    );
    // Latency is printed for the record (docs/benchmarks.md), never asserted.
    eprintln!("serve load test: {text}");
}

/// The scan's `done` event from the event stream (which ends after it).
fn scan_over_http(s: &Server, body: &str) -> serde_json::Value {
    let rep = post_json(&s.addr, "/api/scan", body);
    assert_eq!(rep.status, 200, "{}", String::from_utf8_lossy(&rep.body));
    let job = rep.json()["job"].as_str().unwrap().to_string();
    let ev = http(&s.addr, "GET", &format!("/api/scan/{job}/events"), &[], b"");
    assert_eq!(ev.header("content-type"), Some("text/event-stream"));
    let text = String::from_utf8_lossy(&ev.body).to_string();
    assert!(text.contains("event: progress"), "{text}");
    let done = text
        .split("\n\n")
        .find_map(|e| e.strip_prefix("event: done\ndata: "))
        .unwrap_or_else(|| panic!("no done event in {text}"));
    serde_json::from_str(done).unwrap()
}

#[test]
fn scan_over_http_respects_reference_folders_and_not_a_copy() {
    let t = tempfile::tempdir().unwrap();
    let root = t.path().join("root");
    let (shop, originals) = (root.join("shop"), root.join("originals"));
    std::fs::create_dir_all(&shop).unwrap();
    std::fs::create_dir_all(&originals).unwrap();
    std::fs::write(originals.join("a.jpg"), fixture("shoe-main.jpg")).unwrap();
    std::fs::write(shop.join("listing.jpg"), fixture("shoe-hidden.jpg")).unwrap();
    common::cases::scene(640, 480, 9)
        .save(shop.join("other.png"))
        .unwrap();
    let s = serve(
        &["--root", root.to_str().unwrap()],
        &t.path().join("c.sqlite"),
    );
    let (sh, or) = (shop.display().to_string(), originals.display().to_string());
    let doc = scan_over_http(
        &s,
        &format!("{{\"root\":\"{sh}\",\"reference\":[\"{or}\"]}}"),
    );
    assert_eq!(doc["schema"], "pairproof.scan/3");
    assert_eq!(
        doc["problems"].as_array().unwrap().len(),
        0,
        "{}",
        doc["problems"]
    );
    let groups = doc["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 1);
    let members: Vec<(String, bool)> = groups[0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["path"].as_str().unwrap().to_string(),
                m["reference"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        members,
        vec![
            (format!("{or}/a.jpg"), true),
            (format!("{sh}/listing.jpg"), false)
        ]
    );
    // "Not a copy": recorded in the catalogue, so the next scan has no group.
    let body = format!("{{\"a\":\"{sh}/listing.jpg\",\"b\":\"{or}/a.jpg\"}}");
    let rep = post_json(&s.addr, "/api/decision", &body);
    assert_eq!(rep.status, 200, "{}", String::from_utf8_lossy(&rep.body));
    let doc = scan_over_http(
        &s,
        &format!("{{\"root\":\"{sh}\",\"reference\":[\"{or}\"]}}"),
    );
    assert_eq!(doc["groups"].as_array().unwrap().len(), 0);
    let decisions =
        pairproof::catalogue::store::read_decisions_best_effort(&t.path().join("c.sqlite"))
            .unwrap();
    assert!(decisions.iter().any(|d| d.kind == "not_a_copy"));
}

#[test]
fn batch_of_a_zip_pairs_by_name_and_checks_each_pair() {
    let t = tempfile::tempdir().unwrap();
    let s = serve(&[], &t.path().join("c.sqlite"));
    let mut z = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut z);
        let o = zip::write::SimpleFileOptions::default();
        for (name, fx) in [
            ("shop/A1_main.jpg", "shoe-main.jpg"),
            ("shop/A1_hidden.jpg", "shoe-hidden.jpg"),
            ("B2-main.jpg", "shoe-main-promo.jpg"),
            ("B2-hidden.jpg", "shoe-hidden-q40.jpg"),
            ("C3_main.jpg", "shoe-main.jpg"),
            ("D4/主图.jpg", "shoe-main.jpg"),
            ("D4/隐藏图.jpg", "shoe-hidden.jpg"),
            ("../../evil_main.txt", "shoe-main.jpg"),
            ("readme.txt", "shoe-main.jpg"),
            ("__MACOSX/._A1_main.jpg", "shoe-main.jpg"),
        ] {
            w.start_file(name, o).unwrap();
            w.write_all(&fixture(fx)).unwrap();
        }
        w.finish().unwrap();
    }
    let zbytes = z.into_inner();
    let rep = post_files(
        &s.addr,
        "/api/batch",
        &[("files", Some("shop.zip"), &zbytes)],
    );
    assert_eq!(rep.status, 200, "{}", String::from_utf8_lossy(&rep.body));
    let doc = rep.json();
    assert_eq!(doc["schema"], "pairproof.serve-batch/1");
    let pairs: Vec<(String, String)> = doc["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["label"].as_str().unwrap().to_string(),
                p["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("A1".into(), "pass".into()),
            ("B2".into(), "fail".into()),
            ("D4".into(), "pass".into()),
        ]
    );
    let b2 = &doc["pairs"][1];
    assert!(b2["failed"].as_array().unwrap().contains(&"ssim".into()));
    let problems = doc["problems"].as_array().unwrap();
    let incomplete: Vec<&str> = problems
        .iter()
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    // C3 has no hidden; D4's per-SKU folder pairs (主图 / 隐藏图); evil_main.txt loses its `..`
    // and, not being an image, is ignored with its reason — nothing is ever written under
    // its path.
    assert_eq!(incomplete, vec!["C3_main.jpg"], "{problems:?}");
    assert!(problems.iter().all(|p| p["code"] == "E_PAIR_INCOMPLETE"));
    assert_eq!(
        doc["ignored_reasons"],
        serde_json::json!([
            {"path": "evil_main.txt", "reason": "not_an_image"},
            {"path": "readme.txt", "reason": "not_an_image"},
        ])
    );
}
