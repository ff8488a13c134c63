//! The table of cases: one line each, grouped as the issue lists them.

use serde_json::{json, Value};

use crate::{Case, Expect};

/// A POST to the update route with this body and an honest Content-Length.
pub(crate) fn post_raw(body: &[u8]) -> Vec<u8> {
    let mut r = post_head(&format!(
        "Content-Type: application/json\r\nContent-Length: {}",
        body.len()
    ));
    r.extend_from_slice(body);
    r
}

/// The head of a POST to the update route with these extra header lines.
fn post_head(headers: &str) -> Vec<u8> {
    format!("POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\nConnection: close\r\n\r\n").into_bytes()
}

fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").into_bytes()
}

/// A GET of the layout with these extra header lines, as raw bytes.
fn get_with(headers: &[u8]) -> Vec<u8> {
    let mut r = b"GET /_dash-layout HTTP/1.1\r\nHost: 127.0.0.1\r\n".to_vec();
    r.extend_from_slice(headers);
    r.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    r
}

/// A valid request to the one-output callback.
pub(crate) fn good_body() -> Value {
    json!({"output": "out.children", "outputs": {"id": "out", "property": "children"},
           "inputs": [{"id": "in", "property": "value", "value": "hi"}],
           "changedPropIds": ["in.value"]})
}

/// A request to the four-output callback.
fn four_body(outputs: Value) -> Value {
    json!({"output": "..a.children...b.children...c.children...d.children..", "outputs": outputs,
           "inputs": [{"id": "in", "property": "n_submit", "value": 1}],
           "state": [{"id": "in", "property": "title", "value": 2.5}], "changedPropIds": []})
}

/// A request to the `ALL` callback.
fn all_body(outputs: Value, inputs: Value) -> Value {
    json!({"output": "{\"kind\":\"card\",\"n\":[\"ALL\"]}.children", "outputs": outputs, "inputs": inputs})
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

fn without(mut body: Value, field: &str) -> Value {
    body.as_object_mut().expect("an object").remove(field);
    body
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

fn target(id: &str) -> Value {
    json!({"id": id, "property": "children"})
}

fn card(n: u32) -> Value {
    json!({"id": {"kind": "card", "n": n}, "property": "children"})
}

/// The text of a valid body with `from` replaced by `to`.
fn good_text_with(from: &str, to: &str) -> String {
    let text = good_body().to_string();
    assert!(text.contains(from), "{from} is not in {text}");
    text.replacen(from, to, 1)
}

/// The four-output request with its Input value (a `u32`) or its State
/// value (an `f64`) written as this number text.
fn four_with_number(input: bool, number: &str) -> Vec<u8> {
    let text = four_body(json!([target("a"), target("b"), target("c"), target("d")])).to_string();
    let text = if input {
        text.replacen("\"value\":1}", &format!("\"value\":{number}}}"), 1)
    } else {
        text.replacen("2.5", number, 1)
    };
    post_raw(text.as_bytes())
}

fn chunked(chunks: &str) -> Vec<u8> {
    let mut r = post_head("Content-Type: application/json\r\nTransfer-Encoding: chunked");
    r.extend_from_slice(chunks.as_bytes());
    r
}

const STATUS_400: Expect = Expect::Status(400);
const OK: Expect = Expect::Status(200);

/// Every case. `add` takes the name, the bytes, whether the client
/// half-closes after sending, and what may come back.
#[rustfmt::skip]
pub(crate) fn catalogue() -> Vec<Case> {
    let mut cases: Vec<Case> = Vec::new();
    let mut add = |name: &str, bytes: Vec<u8>, half_close: bool, expect: Expect| {
        cases.push(Case { name: name.to_owned(), bytes, half_close, expect })
    };
    let json_case = |body: &Value| post_raw(body.to_string().as_bytes());
    let one = good_body();
    let huge = "k".repeat(1 << 20);
    let btns = json!([[{"id": {"kind": "btn", "n": 1}, "property": "n_clicks", "value": 1}]]);

    // Requests that do not fit the callback (the cases first).
    add("single output, 2 targets", json_case(&with(one.clone(), "outputs", json!([target("out"), target("out")]))), false, STATUS_400);
    add("single output, nested list", json_case(&with(one.clone(), "outputs", json!([[target("out")]]))), false, STATUS_400);
    add("single output, another id", json_case(&with(one.clone(), "outputs", target("elsewhere"))), false, STATUS_400);
    add("single output, another prop", json_case(&with(one.clone(), "outputs", json!({"id": "out", "property": "title"}))), false, STATUS_400);
    add("single output, outputs missing", json_case(&without(one.clone(), "outputs")), false, STATUS_400);
    add("four outputs, 2 targets", json_case(&four_body(json!([target("a"), target("b")]))), false, STATUS_400);
    add("four outputs, 5 targets", json_case(&four_body(json!([target("a"), target("b"), target("c"), target("d"), target("d")]))), false, STATUS_400);
    add("four outputs, one object", json_case(&four_body(target("a"))), false, STATUS_400);
    add("four outputs, a nested slot", json_case(&four_body(json!([target("a"), [target("b")], target("c"), target("d")]))), false, STATUS_400);
    add("ALL output, one object", json_case(&all_body(card(1), btns.clone())), false, STATUS_400);
    add("ALL output, nested lists", json_case(&all_body(json!([[card(1)]]), btns.clone())), false, STATUS_400);
    add("ALL output, a foreign id", json_case(&all_body(json!([card(1), {"id": {"kind": "other", "n": 2}, "property": "children"}]), btns.clone())), false, STATUS_400);
    add("ALL input, one object", json_case(&all_body(json!([card(1)]), json!([{"id": {"kind": "btn", "n": 1}, "property": "n_clicks"}]))), false, STATUS_400);
    add("1 MB unknown output key", json_case(&with(one.clone(), "output", json!(huge))), false, STATUS_400);
    add("1 MB output id", json_case(&with(one.clone(), "outputs", target(&huge))), false, STATUS_400);
    add("1 MB property in an input", json_case(&with(one.clone(), "inputs", json!([{"id": "in", "property": huge, "value": 1}]))), false, STATUS_400);
    add("1 MB string where a number goes", four_with_number(true, &json!(huge).to_string()), false, STATUS_400);
    add("1 MB string as the inputs field", json_case(&with(one.clone(), "inputs", json!(huge))), false, STATUS_400);
    add("inputs: one too many", json_case(&with(one.clone(), "inputs", json!([{"id": "in", "property": "value"}, {"id": "in", "property": "value"}]))), false, STATUS_400);
    add("inputs: none", json_case(&with(one.clone(), "inputs", json!([]))), false, STATUS_400);
    add("state on a callback without State", json_case(&with(one.clone(), "state", json!([{"id": "in", "property": "title"}]))), false, STATUS_400);

    // Malformed, truncated and deeply nested JSON.
    for (name, text) in [
        ("not JSON", "{not json".to_owned()),
        ("empty body", String::new()),
        ("whitespace", "   \n ".to_owned()),
        ("a top-level array", "[]".to_owned()),
        ("a top-level string", "\"output\"".to_owned()),
        ("a top-level number", "42".to_owned()),
        ("null", "null".to_owned()),
        ("trailing garbage", format!("{}xyz", good_body())),
        ("two bodies", format!("{}{}", good_body(), good_body())),
        ("a byte-order mark", format!("\u{feff}{}", good_body())),
        ("single quotes", "{'output': 'out.children'}".to_owned()),
        ("NaN literal", good_text_with("\"hi\"", "NaN")),
        ("a comment", good_text_with("{\"output\"", "{/* c */\"output\"")),
        ("a duplicate key", good_text_with("{\"output\":\"out.children\"", "{\"output\":\"out.children\",\"output\":\"x\"")),
        ("an unterminated string", "{\"output\": \"out.children".to_owned()),
        ("a lone surrogate escape", good_text_with("\"hi\"", "\"\\ud800\"")),
        ("a bad escape", good_text_with("\"hi\"", "\"\\q\"")),
        ("a control character in a string", good_text_with("\"hi\"", "\"a\u{1}b\"")),
    ] {
        add(&format!("malformed: {name}"), post_raw(text.as_bytes()), false, STATUS_400);
    }
    let full = good_body().to_string();
    for cut in [1, 10, full.len() / 2, full.len() - 1] {
        add(&format!("truncated JSON at {cut} of {} bytes", full.len()), post_raw(&full.as_bytes()[..cut]), false, STATUS_400);
    }
    let deep_objects = format!("{}1{}", "{\"a\":".repeat(100_000), "}".repeat(100_000));
    add("100,000-deep JSON as the body", post_raw(nested(100_000).as_bytes()), false, STATUS_400);
    add("100,000-deep arrays as a value", post_raw(good_text_with("\"hi\"", &nested(100_000)).as_bytes()), false, STATUS_400);
    add("100,000-deep objects as a value", post_raw(good_text_with("\"hi\"", &deep_objects).as_bytes()), false, STATUS_400);
    add("100,000-deep JSON in an id", post_raw(good_text_with("{\"id\":\"in\"", &format!("{{\"id\":{{\"k\":{}}}", nested(100_000))).as_bytes()), false, STATUS_400);

    // Wrong types for every field of the body.
    for (field, values) in [
        ("output", vec![json!(5), json!(null), json!([]), json!({}), json!(true)]),
        ("outputs", vec![json!(5), json!("out.children"), json!([5]), json!({"id": 5, "property": "children"}), json!({"id": "out"}),
                         json!({"id": [], "property": "children"}), json!({"id": "out", "property": 7}), json!({"id": {"k": [1, 2]}, "property": "children"})]),
        ("inputs", vec![json!(5), json!("x"), json!({}), json!([5]), json!([null]), json!([{"id": "in"}]), json!([{"id": "in", "property": 5}]),
                        json!([{"property": "value"}]), json!([{"id": {"k": {"nested": 1}}, "property": "value"}]), json!([[5]])]),
        ("state", vec![json!(5), json!("x"), json!({}), json!([5])]),
        ("changedPropIds", vec![json!(5), json!([5]), json!("in.value"), json!([{}])]),
    ] {
        for v in values {
            add(&format!("wrong type: {field} = {v}"), json_case(&with(good_body(), field, v)), false, STATUS_400);
        }
    }
    add("wrong type: a value that does not fit the argument", json_case(&with(good_body(), "inputs", json!([{"id": "in", "property": "value", "value": {"a": 1}}]))), false, STATUS_400);

    // Huge numbers.
    add("huge number: 1e400 for a u32", four_with_number(true, "1e400"), false, STATUS_400);
    add("huge number: 10^30 for a u32", four_with_number(true, &format!("1{}", "0".repeat(30))), false, STATUS_400);
    add("huge number: 100,000 digits for a u32", four_with_number(true, &"9".repeat(100_000)), false, STATUS_400);
    add("huge number: -1 for a u32", four_with_number(true, "-1"), false, STATUS_400);
    add("huge number: 1e400 for an f64", four_with_number(false, "1e400"), false, STATUS_400);
    add("huge number: 1e-400 for an f64 reads as 0", four_with_number(false, "1e-400"), false, OK);
    add("huge number: 1e400 in an id", post_raw(good_text_with("{\"id\":\"in\"", "{\"id\":{\"n\":1e400}").as_bytes()), false, STATUS_400);

    // Invalid UTF-8.
    let utf8_case = |from: &[u8], to: &[u8]| {
        let text = good_body().to_string().into_bytes();
        let at = text.windows(from.len()).position(|w| w == from).expect("in the body");
        let mut bytes = text[..at].to_vec();
        bytes.extend_from_slice(to);
        bytes.extend_from_slice(&text[at + from.len()..]);
        post_raw(&bytes)
    };
    add("invalid UTF-8 in a string of the body", utf8_case(b"hi", b"\xffi"), false, STATUS_400);
    add("overlong UTF-8 in the body", utf8_case(b"hi", b"\xc0\xae"), false, STATUS_400);
    add("invalid UTF-8 in a key of the body", utf8_case(b"changedPropIds", b"\xfehangedPropIds"), false, STATUS_400);
    add("invalid UTF-8 in header values", get_with(b"X-Name: caf\xe9 \xff\xfe\r\nCookie: dash_session=\xff\xff"), false, Expect::ServedOrRefused);
    add("invalid UTF-8 in a header name", get_with(b"X-\xff\xfe: 1"), false, Expect::Refused);
    add("invalid UTF-8 in the request path", b"GET /assets/\xff\xfe.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec(), false, Expect::Refused);
    add("percent-encoded invalid UTF-8 in the path", get("/assets/%ff%fe.css"), false, Expect::NotServed);

    // Lying Content-Length.
    let body = good_body().to_string();
    let with_length = |length: &str| {
        let mut r = post_head(&format!("Content-Type: application/json\r\nContent-Length: {length}"));
        r.extend_from_slice(body.as_bytes());
        r
    };
    add("Content-Length shorter than the body", with_length(&(body.len() - 5).to_string()), false, STATUS_400);
    add("Content-Length longer than the body, connection kept open", with_length(&(body.len() + 100).to_string()), false, Expect::Refused);
    add("Content-Length longer than the body, then end of stream", with_length(&(body.len() + 100).to_string()), true, Expect::Refused);
    for value in ["-1", "+5", "abc", "1e3", "99999999999999999999999", "5, 6", ""] {
        add(&format!("Content-Length: {value:?}"), with_length(value), true, Expect::Refused);
    }
    add("two different Content-Length headers", with_length(&format!("{}\r\nContent-Length: 3", body.len())), true, Expect::Refused);
    add("a body over the limit, announced", post_head(&format!("Content-Length: {}", 8 << 20)), true, Expect::Status(413));

    // Chunked edge cases.
    let b = body.as_str();
    let (head, tail) = b.split_at(20);
    add("chunked: valid, two chunks", chunked(&format!("{:x}\r\n{head}\r\n{:x}\r\n{tail}\r\n0\r\n\r\n", head.len(), tail.len())), false, OK);
    add("chunked: chunk extensions", chunked(&format!("{:x};name=value;x\r\n{b}\r\n0\r\n\r\n", b.len())), false, OK);
    add("chunked: trailers", chunked(&format!("{:x}\r\n{b}\r\n0\r\nX-Trailer: yes\r\nX-Other: 2\r\n\r\n", b.len())), false, OK);
    add("chunked: bad hex size", chunked(&format!("zz\r\n{b}\r\n0\r\n\r\n")), true, Expect::Refused);
    add("chunked: negative size", chunked(&format!("-5\r\n{b}\r\n0\r\n\r\n")), true, Expect::Refused);
    add("chunked: size past 64 bits", chunked(&format!("ffffffffffffffffff\r\n{b}\r\n0\r\n\r\n")), true, Expect::Refused);
    add("chunked: huge size, short data", chunked(&format!("7fffffffffff\r\n{b}")), true, Expect::Refused);
    add("chunked: missing final chunk", chunked(&format!("{:x}\r\n{b}\r\n", b.len())), true, Expect::Refused);
    add("chunked: missing final chunk, connection kept open", chunked(&format!("{:x}\r\n{b}\r\n", b.len())), false, Expect::Refused);
    add("chunked: more data than the size", chunked(&format!("{:x}\r\n{b}XX\r\n0\r\n\r\n", b.len())), true, Expect::Refused);
    add("chunked: a 100 kB chunk extension", chunked(&format!("1;{}\r\n{{\r\n0\r\n\r\n", "e".repeat(100_000))), true, Expect::Refused);
    add("chunked: 100,000 one-byte chunks of spaces", chunked(&format!("{}0\r\n\r\n", "1\r\n \r\n".repeat(100_000))), false, STATUS_400);
    add("Transfer-Encoding: gzip, chunked", { let mut r = post_head("Transfer-Encoding: gzip, chunked"); r.extend_from_slice(b"0\r\n\r\n"); r }, true, Expect::Refused);
    add("Transfer-Encoding: unknown", { let mut r = post_head("Transfer-Encoding: xchunked"); r.extend_from_slice(b"0\r\n\r\n"); r }, true, Expect::Refused);

    // Request smuggling shapes: two framings, or one hidden from a parser.
    let smuggled = "GET /_dash-layout HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    let framed = |headers: &str, rest: &str| { let mut r = post_head(headers); r.extend_from_slice(rest.as_bytes()); r };
    add("smuggling: Content-Length and chunked (CL.TE)", framed("Content-Length: 4\r\nTransfer-Encoding: chunked", &format!("0\r\n\r\n{smuggled}")), true, Expect::Refused);
    add("smuggling: chunked and Content-Length (TE.CL)", framed("Transfer-Encoding: chunked\r\nContent-Length: 60", &format!("{:x}\r\n{smuggled}\r\n0\r\n\r\n", smuggled.len())), true, Expect::Refused);
    add("smuggling: a space before the colon", framed("Transfer-Encoding : chunked\r\nContent-Length: 5", "0\r\n\r\n"), true, Expect::Refused);
    add("smuggling: Transfer-Encoding folded over two lines", framed("Transfer-Encoding:\r\n chunked", "0\r\n\r\n"), true, Expect::Refused);
    add("smuggling: bare LF line ends", b"POST /_dash-update-component HTTP/1.1\nHost: 127.0.0.1\nContent-Length: 2\nConnection: close\n\n{}".to_vec(), true, Expect::Refused);

    // Path traversal in every encoding, against both file routes.
    for base in ["/assets/", "/_dash-component-suites/dash/"] {
        for path in [
            "../secret.txt", "../../secret.txt", "css/../../secret.txt", "%2e%2e/secret.txt", "%2E%2E/secret.txt",
            "%252e%252e/secret.txt", "..%2fsecret.txt", "..%2Fsecret.txt", "%2e%2e%2fsecret.txt", "..\\secret.txt",
            "..%5csecret.txt", "%5c..%5csecret.txt", "%c0%ae%c0%ae/secret.txt", "%c0%ae%c0%ae%c0%afsecret.txt",
            "site.css%00.png", "..%00/secret.txt", "/etc/passwd", "%2fetc%2fpasswd", "//etc/passwd", "....//secret.txt",
            "..;/secret.txt", "%2e%2e%5c%2e%2e%5csecret.txt",
        ] {
            add(&format!("traversal: {base}{path}"), get(&format!("{base}{path}")), false, Expect::NotServed);
        }
    }
    add("traversal: a namespace of ..%2f..%2f", get("/_dash-component-suites/..%2f..%2f/secret.txt"), false, Expect::NotServed);
    add("traversal: an absolute-form request target", b"GET http://127.0.0.1/assets/../secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec(), false, Expect::NotServed);
    add("traversal: a 60 kB path", get(&format!("/assets/{}", "a/".repeat(30_000))), false, Expect::NotServed);

    // Oversized and too many headers.
    add("a 64 kB header", get_with(format!("X-Big: {}", "a".repeat(64 * 1024)).as_bytes()), false, Expect::ServedOrRefused);
    add("a 1 MB header", get_with(format!("X-Big: {}", "a".repeat(1 << 20)).as_bytes()), false, Expect::Refused);
    add("500 headers", get_with((0..500).map(|i| format!("X-H{i}: v")).collect::<Vec<_>>().join("\r\n").as_bytes()), false, Expect::Refused);
    add("a 1 MB request line", get(&format!("/{}", "a".repeat(1 << 20))), false, Expect::Refused);
    add("a 1 MB cookie", get_with(format!("Cookie: dash_session={}", "f".repeat(1 << 20)).as_bytes()), false, Expect::Refused);
    add("an empty header name", get_with(b": empty"), false, Expect::Refused);
    add("a header without a colon", get_with(b"NoColon"), false, Expect::Refused);
    add("a NUL in a header value", get_with(b"X-A: a\x00b"), false, Expect::Refused);

    // Methods and versions.
    let raw = |s: &str| s.as_bytes().to_vec();
    add("method FOO", raw("FOO / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), false, Expect::Status(405));
    add("method PUT on the update route", raw("PUT /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"), false, Expect::Status(405));
    add("method DELETE on an asset", raw("DELETE /assets/site.css HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), false, Expect::Status(405));
    add("a lowercase method", raw("get /_dash-layout HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), false, Expect::Status(405));
    add("a method with a bad character", raw("G@T / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), false, Expect::Refused);
    add("HTTP/1.0 asset", raw("GET /assets/site.css HTTP/1.0\r\n\r\n"), false, OK);
    add("HTTP/1.0 callback", raw(&format!("POST /_dash-update-component HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}", b.len())), false, OK);
    add("HTTP/1.0 with chunked", raw("POST /_dash-update-component HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), true, Expect::Refused);
    add("HTTP/1.1 without Host", raw("GET /assets/site.css HTTP/1.1\r\nConnection: close\r\n\r\n"), false, Expect::ServedOrRefused);
    add("version HTTP/1.2", raw("GET / HTTP/1.2\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), false, Expect::Refused);
    add("version HTTP/3.0", raw("GET / HTTP/3.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), false, Expect::Refused);
    add("no version", raw("GET /\r\n\r\n"), true, Expect::Refused);
    add("only a request line, then end of stream", raw("GET / HTTP/1.1\r\n"), true, Expect::Refused);
    add("a TLS hello on plain HTTP", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 hello\r\n\r\n".to_vec(), true, Expect::Refused);
    add("an HTTP/2 preface, then end of stream", raw("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), true, Expect::Refused);
    cases
}
