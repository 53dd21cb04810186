//! A local stand-in for Meta's Graph API, speaking its documented shapes
//! (../shared/reference/meta-graph-api.md): the error object with codes, subcodes and `fbtrace_id`,
//! cursor paging, `debug_token`, the usage headers, and scripted faults. The production client is
//! pointed at it by its base URL and does not know it is not Meta.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::{json, Value};

pub const VERSION: &str = "v25.0";

/// What the next call gets instead of its answer.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Meta's throttling: HTTP 400 with this code; with `regain`, a business-use-case header saying
    /// access returns in that many minutes.
    Throttle { code: i64, regain: Option<u64> },
    /// HTTP 500 with an empty body.
    ServerError,
    /// HTTP 200 with a body that is not JSON.
    Malformed,
    /// Code 2, "temporary issue".
    Transient,
    /// Code 200, a permission is missing.
    Permission,
    /// The answer comes this many milliseconds late, and is otherwise as it would be.
    Slow(u64),
    /// An empty page whose next page has the cursor `c0` again.
    RepeatCursor,
    /// A page of leads that begins with the last lead of the page before, as Meta's pages shift
    /// when a lead arrives during paging; its cursors are as they would be.
    RepeatLead,
}

/// A token the simulator knows, as `debug_token` describes it.
#[derive(Debug, Clone)]
pub struct Token {
    pub app_id: String,
    pub kind: &'static str,
    pub scopes: Vec<&'static str>,
    /// Seconds since 1970; 0 never expires.
    pub expires_at: i64,
    /// Meta has invalidated it: calls answer 190 with this subcode.
    pub invalid: Option<i64>,
}

/// One call as the simulator received it.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
}

#[derive(Default)]
struct State {
    faults: VecDeque<Fault>,
    calls: Vec<Call>,
    tokens: HashMap<String, Token>,
    /// The leads of each form, oldest first.
    leads: HashMap<String, Vec<Value>>,
    page_size: usize,
    /// When set, every call must carry the `appsecret_proof` of its token under this secret.
    app_secret: Option<String>,
    /// The Pages every user and system-user token reaches, each with its own token.
    pages: Vec<(Value, String)>,
    /// The lead forms of each Page.
    forms: HashMap<String, Vec<Value>>,
    /// Faults for given calls, by their number (the first call is 1).
    scheduled: HashMap<usize, Fault>,
    /// Permissions granted for given objects only, by token: `granular_scopes` with `target_ids`.
    targets: HashMap<String, Vec<(String, Vec<String>)>>,
    /// Facebook Login: the app it serves, with its secret, and what the person logging in does.
    login: Option<Login>,
    /// Codes the login dialog handed out, with the redirect they were given for.
    codes: HashMap<String, String>,
    /// Tokens minted by logins and exchanges so far, to name them uniquely.
    minted: usize,
    /// The simulator's time, seconds since 1970: minted tokens expire from it.
    now: i64,
    /// Permissions tokens minted from now on are granted for given objects only.
    minted_targets: Vec<(String, Vec<String>)>,
    /// The leads a form's `time_created` filter leaves, by form and filter value, as indices.
    filtered: Option<((String, i64), Vec<usize>)>,
    /// The datasets (pixels) events may be sent to.
    datasets: Vec<String>,
    /// Conversion events counted, in the order received: each `event_name` + `event_id` once in
    /// 48 hours, as Meta deduplicates them. Test events (with a `test_event_code`) are not counted.
    conversions: Vec<(String, Value)>,
    /// Events received in all, duplicates and test events included.
    events_received: usize,
    /// When each `event_name` + `event_id` was first received, in the simulator's time.
    first_received: HashMap<(String, String), i64>,
    /// Test events received, by their code.
    test_events: Vec<(String, Value)>,
    /// The businesses every user and system-user token reaches.
    businesses: Vec<Value>,
    /// Pixels: each with the business that owns it, and the businesses it is a client pixel of.
    pixels: Vec<SimPixel>,
    /// Ad accounts, by id (`act_…`), with the business that owns each.
    ad_accounts: HashMap<String, String>,
    /// Each Page's conversations, with the platform each is on (`messenger`, `instagram`).
    conversations: HashMap<String, Vec<(String, Value)>>,
    /// Each conversation's messages, newest first, as Meta lists them.
    messages: HashMap<String, Vec<Value>>,
}

/// A pixel as the simulator keeps it.
#[derive(Debug, Clone)]
pub struct SimPixel {
    pub id: String,
    pub name: String,
    pub owner: String,
    /// Businesses it is shared with, with their tasks.
    pub agencies: Vec<(String, Vec<String>)>,
    /// Ad accounts it is shared with, each with the business that asked.
    pub accounts: Vec<(String, String)>,
    pub last_fired_time: Option<String>,
}

/// How the simulated Facebook Login goes.
#[derive(Debug, Clone)]
pub struct Login {
    pub app_id: String,
    pub app_secret: String,
    /// The permissions the person grants.
    pub scopes: Vec<&'static str>,
    /// The person declines instead.
    pub declines: bool,
}

pub struct GraphSim {
    pub url: String,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl GraphSim {
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        // Answers go out at once: without TCP_NODELAY (which Linux passes on to accepted sockets),
        // each answer on a kept-alive connection waits ~40 ms on the client's delayed ACK.
        {
            use std::os::fd::AsRawFd;
            let on: libc::c_int = 1;
            // SAFETY: a valid socket, and an int option of the size given.
            unsafe {
                libc::setsockopt(
                    listener.as_raw_fd(),
                    libc::IPPROTO_TCP,
                    libc::TCP_NODELAY,
                    (&on as *const libc::c_int).cast(),
                    std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                );
            }
        }
        let server = Arc::new(tiny_http::Server::from_listener(listener, None).expect("a server on the port"));
        let url = format!("http://{}", server.server_addr().to_ip().expect("an IP address"));
        let state = Arc::new(Mutex::new(State { page_size: 100, now: 1_795_000_000, ..State::default() }));
        let thread = {
            let (server, state) = (server.clone(), state.clone());
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    let _ = request.as_reader().read_to_string(&mut body);
                    let (status, headers, text) = answer(&state, request.method().as_str(), request.url(), &body);
                    let mut response = tiny_http::Response::from_string(text).with_status_code(status);
                    for (name, value) in headers {
                        response.add_header(tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap());
                    }
                    let _ = request.respond(response);
                }
            })
        };
        Self { url, state, server, thread: Some(thread) }
    }

    pub fn token(&self, value: &str, token: Token) {
        self.state.lock().unwrap().tokens.insert(value.to_owned(), token);
    }

    /// The `n`th call (counting from 1, all calls so far included) gets `fault`.
    pub fn fault_at(&self, n: usize, fault: Fault) {
        self.state.lock().unwrap().scheduled.insert(n, fault);
    }

    /// Adds leads to a form, ahead of those it has: Meta lists the newest first.
    pub fn new_leads(&self, form: &str, leads: Vec<Value>) {
        let mut s = self.state.lock().unwrap();
        s.filtered = None;
        let all = s.leads.entry(form.to_owned()).or_default();
        let older = std::mem::take(all);
        all.extend(leads);
        all.extend(older);
    }

    pub fn fault(&self, fault: Fault) {
        self.state.lock().unwrap().faults.push_back(fault);
    }

    /// A Page that user and system-user tokens reach, with its Page token.
    pub fn page(&self, id: &str, name: &str, page_token: &str) {
        let mut s = self.state.lock().unwrap();
        s.pages.push((json!({"id": id, "name": name, "category": "Shopping & retail"}), page_token.to_owned()));
        let token = Token { app_id: "1234".into(), kind: "PAGE", scopes: vec![], expires_at: 0, invalid: None };
        s.tokens.insert(page_token.to_owned(), token);
    }

    /// Links an Instagram professional account to `page`: the business in its Instagram
    /// conversations, where Meta names it by the account's id and username.
    pub fn instagram_account(&self, page: &str, id: &str, username: &str) {
        let mut s = self.state.lock().unwrap();
        let (found, _) = s.pages.iter_mut().find(|(p, _)| p["id"] == page).expect("a Page added first");
        found["instagram_business_account"] = json!({"id": id, "username": username});
    }

    pub fn forms(&self, page: &str, forms: Vec<Value>) {
        self.state.lock().unwrap().forms.insert(page.to_owned(), forms);
    }

    pub fn leads(&self, form: &str, leads: Vec<Value>) {
        let mut s = self.state.lock().unwrap();
        s.filtered = None;
        s.leads.insert(form.to_owned(), leads);
    }

    /// A conversation of `page` on `platform` (its `id`, `updated_time`, `participants`), with its
    /// messages in any order: Meta lists both newest first.
    pub fn conversation(&self, page: &str, platform: &str, conversation: Value, mut messages: Vec<Value>) {
        let mut s = self.state.lock().unwrap();
        let id = conversation["id"].as_str().expect("a conversation has an id").to_owned();
        messages.sort_by(|a, b| b["created_time"].as_str().cmp(&a["created_time"].as_str()));
        s.messages.insert(id, messages);
        let list = s.conversations.entry(page.to_owned()).or_default();
        list.retain(|(_, c)| c["id"] != conversation["id"]);
        list.push((platform.to_owned(), conversation));
        list.sort_by(|(_, a), (_, b)| b["updated_time"].as_str().cmp(&a["updated_time"].as_str()));
    }

    pub fn page_size(&self, size: usize) {
        self.state.lock().unwrap().page_size = size;
    }

    pub fn require_proof(&self, app_secret: &str) {
        self.state.lock().unwrap().app_secret = Some(app_secret.to_owned());
    }

    /// Serves Facebook Login for an app: the dialog at `/{version}/dialog/oauth` (at once as the
    /// person granting or declining) and the code and token exchanges.
    pub fn login(&self, login: Login) {
        self.state.lock().unwrap().login = Some(login);
    }

    /// Sets the simulator's time (seconds since 1970), from which minted tokens expire.
    pub fn now(&self, at: i64) {
        self.state.lock().unwrap().now = at;
    }

    /// Tokens minted from now on have `scope` granted for `targets` only.
    pub fn grant_minted(&self, scope: &str, targets: &[&str]) {
        let mut s = self.state.lock().unwrap();
        s.minted_targets.push((scope.to_owned(), targets.iter().map(|t| (*t).to_owned()).collect()));
    }

    /// The tokens the login and the exchanges minted, oldest first.
    pub fn minted(&self) -> Vec<String> {
        let s = self.state.lock().unwrap();
        let mut minted: Vec<(usize, String)> = s
            .tokens
            .keys()
            .filter_map(|t| {
                t.strip_prefix("EAAGminted").and_then(|n| n.split('x').next()?.parse().ok()).map(|n| (n, t.clone()))
            })
            .collect();
        minted.sort();
        minted.into_iter().map(|(_, t)| t).collect()
    }

    /// A business the tokens reach.
    pub fn business(&self, id: &str, name: &str) {
        self.state.lock().unwrap().businesses.push(json!({"id": id, "name": name}));
    }

    /// A pixel owned by `owner`, already shared with `agencies`; it takes conversion events too.
    pub fn pixel(&self, id: &str, name: &str, owner: &str, agencies: &[(&str, &[&str])]) {
        let mut s = self.state.lock().unwrap();
        s.datasets.push(id.to_owned());
        s.pixels.push(SimPixel {
            id: id.to_owned(),
            name: name.to_owned(),
            owner: owner.to_owned(),
            agencies: agencies
                .iter()
                .map(|(b, tasks)| ((*b).to_owned(), tasks.iter().map(|t| (*t).to_owned()).collect()))
                .collect(),
            accounts: Vec::new(),
            last_fired_time: Some("2026-11-22T08:00:00+0000".into()),
        });
    }

    /// An ad account (`act_…`) owned by `business`.
    pub fn ad_account(&self, id: &str, business: &str) {
        self.state.lock().unwrap().ad_accounts.insert(id.to_owned(), business.to_owned());
    }

    /// The pixels as they are now.
    pub fn pixels(&self) -> Vec<SimPixel> {
        self.state.lock().unwrap().pixels.clone()
    }

    /// A dataset (pixel) that accepts conversion events.
    pub fn dataset(&self, id: &str) {
        self.state.lock().unwrap().datasets.push(id.to_owned());
    }

    /// The conversion events counted, each with its dataset: duplicates within 48 hours and test
    /// events are not.
    pub fn conversions(&self) -> Vec<(String, Value)> {
        self.state.lock().unwrap().conversions.clone()
    }

    /// Every event received, duplicates and test events included.
    pub fn events_received(&self) -> usize {
        self.state.lock().unwrap().events_received
    }

    /// Test events received, each with its code.
    pub fn test_events(&self) -> Vec<(String, Value)> {
        self.state.lock().unwrap().test_events.clone()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }
}

impl Drop for GraphSim {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn error(status: u16, code: i64, subcode: Option<i64>, message: &str) -> (u16, Vec<(String, String)>, String) {
    let mut e = json!({"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEf123"});
    if let Some(s) = subcode {
        e["error_subcode"] = json!(s);
    }
    (status, Vec::new(), json!({ "error": e }).to_string())
}

fn answer(state: &Mutex<State>, method: &str, url: &str, body: &str) -> (u16, Vec<(String, String)>, String) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    // A form body's parameters count as the query's, as Graph takes either; so do a JSON body's
    // members, each as its text (an array or object as JSON).
    let json_body = match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(members)) => Some(members),
        _ => None,
    };
    let form_body = if json_body.is_some() { "" } else { body };
    let mut query: HashMap<String, String> = query
        .split('&')
        .chain(form_body.split('&'))
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect();
    for (name, value) in json_body.into_iter().flatten() {
        let text = match value {
            Value::String(s) => s,
            other => other.to_string(),
        };
        query.insert(name, text);
    }
    let mut s = state.lock().unwrap();
    // For a simulator in another process (the sync benchmark): how many calls it has answered.
    if path == "/_simulator/calls" {
        return (200, Vec::new(), json!({"calls": s.calls.len()}).to_string());
    }
    s.calls.push(Call { method: method.to_owned(), path: path.to_owned(), query: query.clone() });
    let n = s.calls.len();
    let mut fault = s.scheduled.remove(&n).or_else(|| s.faults.pop_front());
    let repeat_lead = matches!(fault, Some(Fault::RepeatLead));
    if repeat_lead {
        fault = None;
    }
    if let Some(Fault::Slow(ms)) = fault {
        // Late, without keeping the tests from reading the simulator meanwhile.
        drop(s);
        std::thread::sleep(std::time::Duration::from_millis(ms));
        s = state.lock().unwrap();
        fault = None;
    }
    if let Some(fault) = fault {
        return match fault {
            Fault::Throttle { code, regain } => {
                let (status, mut headers, body) = error(400, code, None, "(#4) Application request limit reached");
                if let Some(minutes) = regain {
                    let usage = json!({"112": [{"type": "leadgen", "call_count": 100, "total_cputime": 20,
                        "total_time": 20, "estimated_time_to_regain_access": minutes}]});
                    headers.push(("X-Business-Use-Case-Usage".into(), usage.to_string()));
                }
                (status, headers, body)
            }
            Fault::ServerError => (500, Vec::new(), String::new()),
            Fault::Malformed => (200, Vec::new(), "<html>upstream timeout</html>".into()),
            Fault::Transient => {
                error(500, 2, None, "An unexpected error has occurred. Please retry your request later.")
            }
            Fault::Permission => error(403, 200, None, "(#200) Requires leads_retrieval permission"),
            Fault::Slow(_) | Fault::RepeatLead => unreachable!("answered above"),
            Fault::RepeatCursor => {
                let page = json!({"data": [], "paging": {"cursors": {"before": "c0", "after": "c0"}, "next": "again"}});
                (200, Vec::new(), page.to_string())
            }
        };
    }
    let Some(path) = path.strip_prefix(&format!("/{VERSION}/")) else {
        return error(400, 2500, None, "Unknown path components");
    };
    match path {
        "dialog/oauth" => return dialog(&mut s, &query),
        "oauth/access_token" => return exchange(&mut s, &query),
        _ => {}
    }
    let token_value = query.get("access_token").cloned().unwrap_or_default();
    // An app token, `{app-id}|{app-secret}`, asks as the app (debug_token).
    let app_token = token_value.split_once('|').map(|(id, _)| Token {
        app_id: id.to_owned(),
        kind: "APP",
        scopes: vec![],
        expires_at: 0,
        invalid: None,
    });
    let Some(token) = s.tokens.get(&token_value).cloned().or(app_token) else {
        return error(400, 190, None, &format!("Invalid OAuth access token - Cannot parse access token {token_value}"));
    };
    if let Some(subcode) = token.invalid {
        return error(400, 190, Some(subcode), "Error validating access token: Session has expired.");
    }
    if let Some(secret) = &s.app_secret {
        let proof = custodian::meta::graph::appsecret_proof(
            &custodian::vault::Sensitive::new(secret.clone()),
            &custodian::vault::Sensitive::new(token_value.clone()),
        );
        if query.get("appsecret_proof") != Some(&proof) {
            return error(400, 100, None, "Invalid appsecret_proof provided in the API argument");
        }
    }
    let usage =
        vec![("X-App-Usage".to_owned(), json!({"call_count": 12, "total_cputime": 3, "total_time": 5}).to_string())];
    match (method, path) {
        ("GET", "debug_token") => {
            let input = query.get("input_token").cloned().unwrap_or_default();
            let data = match s.tokens.get(&input) {
                Some(t) => {
                    let targets = s.targets.get(&input).cloned().unwrap_or_default();
                    let granular: Vec<Value> = t
                        .scopes
                        .iter()
                        .map(|scope| match targets.iter().find(|(g, _)| g == scope) {
                            Some((_, ids)) => json!({"scope": scope, "target_ids": ids}),
                            None => json!({"scope": scope}),
                        })
                        .collect();
                    json!({"app_id": t.app_id, "type": t.kind, "application": "Agency app",
                    "expires_at": t.expires_at, "is_valid": t.invalid.is_none(), "scopes": t.scopes,
                    "granular_scopes": granular, "user_id": if t.kind == "PAGE" { Value::Null } else { json!("10001") }})
                }
                None => json!({"is_valid": false, "error": {"code": 190, "message": "Invalid OAuth access token."}}),
            };
            (200, usage, json!({ "data": data }).to_string())
        }
        ("DELETE", "me/permissions") => (200, usage, json!({"success": true}).to_string()),
        ("POST", p) if p.ends_with("/events") => events(&mut s, p.trim_end_matches("/events"), &query, usage),
        ("GET", "me/businesses") => {
            let all = s.businesses.clone();
            paged(&query, s.page_size, &all, "me/businesses", usage)
        }
        (_, p) if pixel_edge(p) => pixels(&mut s, method, p, &query, usage),
        ("GET", "me") if token.kind == "PAGE" => {
            let page = s.pages.iter().find(|(_, t)| *t == token_value).map(|(p, _)| p.clone()).unwrap_or_default();
            (200, usage, page.to_string())
        }
        ("GET", "me/accounts") => {
            let all: Vec<Value> = s
                .pages
                .iter()
                .map(|(p, t)| {
                    let mut p = p.clone();
                    p["access_token"] = json!(t);
                    p
                })
                .collect();
            paged(&query, s.page_size, &all, "me/accounts", usage)
        }
        ("GET", p) if p.ends_with("/conversations") => {
            let page = p.trim_end_matches("/conversations");
            if token.kind != "PAGE" {
                return error(400, 190, None, "(#190) This method must be called with a Page Access Token");
            }
            // Messenger unless asked otherwise, as Meta answers.
            let platform = query.get("platform").map_or("messenger", String::as_str);
            let linked = s.pages.iter().any(|(p, _)| p["id"] == page && p.get("instagram_business_account").is_some());
            if platform == "instagram" && !linked {
                return error(400, 100, None, "(#100) This Page has no Instagram professional account connected");
            }
            let all: Vec<Value> = s
                .conversations
                .get(page)
                .into_iter()
                .flatten()
                .filter(|(on, _)| on == platform)
                .map(|(_, c)| c.clone())
                .collect();
            paged(&query, s.page_size, &all, p, usage)
        }
        ("GET", p) if p.ends_with("/messages") => {
            let conversation = p.trim_end_matches("/messages");
            let Some(all) = s.messages.get(conversation) else {
                return error(400, 100, Some(33), "Unsupported get request: the object does not exist.");
            };
            let all = all.clone();
            paged(&query, s.page_size, &all, p, usage)
        }
        ("GET", p) if p.ends_with("/leadgen_forms") => {
            let page = p.trim_end_matches("/leadgen_forms");
            if token.kind != "PAGE" {
                return error(400, 190, None, "(#190) This method must be called with a Page Access Token");
            }
            let forms = s.forms.get(page).cloned().unwrap_or_default();
            paged(&query, s.page_size, &forms, p, usage)
        }
        ("GET", p) if p.ends_with("/leads") => {
            let form = p.trim_end_matches("/leads");
            let Some(all) = s.leads.get(form) else { return error(400, 100, Some(33), "Unsupported get request.") };
            // `filtering=[{"field":"time_created","operator":"GREATER_THAN","value":…}]`
            let after: Option<i64> = query
                .get("filtering")
                .and_then(|f| serde_json::from_str::<Value>(f).ok())
                .and_then(|f| f.pointer("/0/value").and_then(Value::as_i64));
            let size = query.get("limit").and_then(|l| l.parse().ok()).unwrap_or(s.page_size).min(s.page_size);
            let from: usize =
                query.get("after").and_then(|a| a.strip_prefix('c')).and_then(|n| n.parse().ok()).unwrap_or(0);
            // The page begins one lead early when it repeats one.
            let first = if repeat_lead { from.saturating_sub(1) } else { from };
            let Some(after) = after else {
                let page: Vec<Value> = all.iter().skip(first).take(size + from - first).cloned().collect();
                return page_of(page, from, all.len(), p, usage, from - first);
            };
            // Which leads a filter leaves is worked out once per filter, not once per page: a form
            // of 100,000 leads is read in a thousand pages.
            let key = (form.to_owned(), after);
            if s.filtered.as_ref().is_none_or(|(k, _)| *k != key) {
                let kept: Vec<usize> = all
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| {
                        let created = l["created_time"].as_str().and_then(custodian::leads::parse::parse_time);
                        created.is_some_and(|c| c > after)
                    })
                    .map(|(i, _)| i)
                    .collect();
                s.filtered = Some((key, kept));
            }
            let (all, (_, kept)) = (&s.leads[form], s.filtered.as_ref().expect("worked out above"));
            let page: Vec<Value> = kept.iter().skip(first).take(size + from - first).map(|&i| all[i].clone()).collect();
            page_of(page, from, kept.len(), p, usage, from - first)
        }
        ("GET", id) if !id.contains('/') && s.pages.iter().any(|(p, _)| p["id"] == id) => {
            let (page, _) = s.pages.iter().find(|(p, _)| p["id"] == id).expect("found above");
            // The fields asked for, as Meta answers: the id always, the rest when named and set.
            let fields = query.get("fields").cloned().unwrap_or_else(|| "name".into());
            let mut answer = json!({"id": id});
            for field in ["name", "category", "instagram_business_account"] {
                if fields.split(',').any(|f| f.split('{').next() == Some(field)) && page.get(field).is_some() {
                    answer[field] = page[field].clone();
                }
            }
            (200, usage, answer.to_string())
        }
        ("GET", lead) if !lead.contains('/') => {
            match s.leads.values().flatten().find(|l| l["id"].as_str() == Some(lead)) {
                Some(found) => (200, usage, found.to_string()),
                None => error(400, 100, Some(33), "Unsupported get request: the object does not exist."),
            }
        }
        ("DELETE", lead) if !lead.contains('/') => {
            let mut found = false;
            s.filtered = None;
            for leads in s.leads.values_mut() {
                let before = leads.len();
                leads.retain(|l| l["id"].as_str() != Some(lead));
                found |= leads.len() < before;
            }
            if found {
                (200, usage, json!({"success": true}).to_string())
            } else {
                error(400, 100, Some(33), "Unsupported delete request: the object does not exist.")
            }
        }
        _ => error(400, 100, Some(33), "Unsupported request: the object does not exist or cannot be loaded."),
    }
}

/// `POST /{dataset}/events`, validating as Meta does: one invalid event fails the whole batch with
/// code 100, naming the event's index.
fn events(
    s: &mut State,
    dataset: &str,
    query: &HashMap<String, String>,
    usage: Vec<(String, String)>,
) -> (u16, Vec<(String, String)>, String) {
    if !s.datasets.iter().any(|d| d == dataset) {
        return error(400, 100, Some(33), "Unsupported post request. Object does not exist or cannot be loaded.");
    }
    let Some(Value::Array(data)) = query.get("data").and_then(|d| serde_json::from_str::<Value>(d).ok()) else {
        return error(400, 100, None, "(#100) The parameter data is required");
    };
    if data.len() > 1000 {
        return error(400, 100, None, "(#100) Too many events in one request: at most 1000");
    }
    let hex64 = |v: &Value| v.as_str().is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    for (i, event) in data.iter().enumerate() {
        let fail = |why: &str| {
            error(400, 100, Some(2_804_008), &format!("(#100) Invalid parameter: event at index {i}: {why}"))
        };
        if event["event_name"].as_str().is_none_or(str::is_empty) {
            return fail("event_name is required");
        }
        let Some(time) = event["event_time"].as_i64() else { return fail("event_time is required") };
        if time < s.now - 7 * 86_400 {
            return fail("event_time is more than 7 days in the past");
        }
        if time > s.now + 60 {
            return fail("event_time is in the future");
        }
        if event["action_source"].as_str().is_none() {
            return fail("action_source is required");
        }
        let Some(user) = event["user_data"].as_object().filter(|u| !u.is_empty()) else {
            return fail("user_data needs at least one customer information parameter");
        };
        for key in ["em", "ph", "fn", "ln", "ct", "st", "zp", "country"] {
            if user.get(key).is_some_and(|v| !hex64(v)) {
                return fail(&format!("user_data.{key} must be hashed with SHA-256"));
            }
        }
        if event.pointer("/custom_data/value").is_some() && event.pointer("/custom_data/currency").is_none() {
            return fail("custom_data.currency is required with a value");
        }
    }
    let received = data.len();
    s.events_received += received;
    let test = query.get("test_event_code").cloned();
    for event in data {
        if let Some(code) = &test {
            s.test_events.push((code.clone(), event));
            continue;
        }
        let key = (
            event["event_name"].as_str().unwrap_or_default().to_owned(),
            event["event_id"].as_str().unwrap_or_default().to_owned(),
        );
        let now = s.now;
        let fresh = match s.first_received.get(&key) {
            Some(first) if key.1.is_empty() || now - first >= 48 * 3600 => true,
            Some(_) => false,
            None => true,
        };
        if fresh {
            s.first_received.insert(key, now);
            s.conversions.push((dataset.to_owned(), event));
        }
    }
    let n = s.calls.len();
    (200, usage, json!({"events_received": received, "messages": [], "fbtrace_id": format!("AbCdEf{n}")}).to_string())
}

/// Whether `path` is one of the pixel edges.
fn pixel_edge(path: &str) -> bool {
    ["/owned_pixels", "/client_pixels", "/shared_agencies", "/agencies", "/shared_accounts", "/adspixels"]
        .iter()
        .any(|edge| path.ends_with(edge))
}

/// The pixel edges: listing a business's pixels, their shares with businesses and ad accounts,
/// sharing and revoking, and making a pixel on an ad account.
fn pixels(
    s: &mut State,
    method: &str,
    path: &str,
    query: &HashMap<String, String>,
    usage: Vec<(String, String)>,
) -> (u16, Vec<(String, String)>, String) {
    let (object, edge) = path.rsplit_once('/').unwrap_or((path, ""));
    let get = |k: &str| query.get(k).cloned().unwrap_or_default();
    let describe = |p: &SimPixel| {
        json!({"id": p.id, "name": p.name, "creation_time": "2025-03-01T10:00:00+0000",
            "last_fired_time": p.last_fired_time, "owner_business": {"id": p.owner}})
    };
    let ok = || json!({"success": true}).to_string();
    match (method, edge) {
        ("GET", "owned_pixels") => {
            let all: Vec<Value> = s.pixels.iter().filter(|p| p.owner == object).map(describe).collect();
            paged(query, s.page_size, &all, path, usage)
        }
        ("GET", "client_pixels") => {
            let all: Vec<Value> = s
                .pixels
                .iter()
                .filter(|p| p.owner != object && p.agencies.iter().any(|(b, _)| b == object))
                .map(describe)
                .collect();
            paged(query, s.page_size, &all, path, usage)
        }
        (_, "adspixels") => {
            let Some(owner) = s.ad_accounts.get(object).cloned() else {
                return error(
                    400,
                    100,
                    Some(33),
                    "Unsupported post request. Object does not exist or cannot be loaded.",
                );
            };
            if s.pixels.iter().any(|p| p.owner == owner) {
                return error(400, 6200, None, "A pixel already exists for this account");
            }
            let id = format!("77{:013}", s.pixels.len() + 1);
            s.datasets.push(id.clone());
            s.pixels.push(SimPixel {
                id: id.clone(),
                name: get("name"),
                owner,
                agencies: Vec::new(),
                accounts: Vec::new(),
                last_fired_time: None,
            });
            (200, usage, json!({"id": id}).to_string())
        }
        _ => {
            let Some(at) = s.pixels.iter().position(|p| p.id == object) else {
                return error(400, 100, Some(33), "Unsupported request. Object does not exist or cannot be loaded.");
            };
            let pixel = &mut s.pixels[at];
            match (method, edge) {
                ("GET", "shared_agencies") => {
                    let all: Vec<Value> =
                        pixel.agencies.iter().map(|(b, tasks)| json!({"id": b, "permitted_tasks": tasks})).collect();
                    paged(query, 100, &all, path, usage)
                }
                ("POST", "agencies") => {
                    let Ok(tasks) = serde_json::from_str::<Vec<String>>(&get("permitted_tasks")) else {
                        return error(400, 100, None, "(#100) permitted_tasks must be an array");
                    };
                    if tasks.is_empty()
                        || tasks.iter().any(|t| !["ANALYZE", "UPLOAD", "ADVERTISE"].contains(&t.as_str()))
                    {
                        return error(400, 100, None, "(#100) Invalid permitted_tasks");
                    }
                    let business = get("business");
                    pixel.agencies.retain(|(b, _)| *b != business);
                    pixel.agencies.push((business, tasks));
                    (200, usage, ok())
                }
                ("DELETE", "agencies") => {
                    let business = get("business");
                    let before = pixel.agencies.len();
                    pixel.agencies.retain(|(b, _)| *b != business);
                    if pixel.agencies.len() == before {
                        return error(400, 100, None, "(#100) The business does not have access to this pixel");
                    }
                    (200, usage, ok())
                }
                ("GET", "shared_accounts") => {
                    let business = get("business");
                    let all: Vec<Value> = pixel
                        .accounts
                        .iter()
                        .filter(|(_, b)| business.is_empty() || *b == business)
                        .map(|(a, _)| json!({"id": a, "account_id": a.trim_start_matches("act_")}))
                        .collect();
                    paged(query, 100, &all, path, usage)
                }
                ("POST", "shared_accounts") => {
                    let account = format!("act_{}", get("account_id").trim_start_matches("act_"));
                    let business = get("business");
                    pixel.accounts.retain(|(a, _)| *a != account);
                    pixel.accounts.push((account, business));
                    (200, usage, ok())
                }
                ("DELETE", "shared_accounts") => {
                    let account = format!("act_{}", get("account_id").trim_start_matches("act_"));
                    let before = pixel.accounts.len();
                    pixel.accounts.retain(|(a, _)| *a != account);
                    if pixel.accounts.len() == before {
                        return error(400, 100, None, "(#100) The ad account does not have access to this pixel");
                    }
                    (200, usage, ok())
                }
                _ => error(400, 100, Some(33), "Unsupported request."),
            }
        }
    }
}

/// The login dialog, as if the person were logged in to Facebook and chose at once: a redirect to
/// `redirect_uri` with a code in the query or a token in the fragment, or the refusal.
fn dialog(s: &mut State, query: &HashMap<String, String>) -> (u16, Vec<(String, String)>, String) {
    let Some(login) = s.login.clone() else { return error(400, 100, None, "Facebook Login is not served here") };
    let get = |k: &str| query.get(k).cloned().unwrap_or_default();
    if get("client_id") != login.app_id {
        return (400, Vec::new(), "<html>Invalid App ID</html>".into());
    }
    let (redirect, state) = (get("redirect_uri"), encode(&get("state")));
    let location = if login.declines {
        format!("{redirect}?error=access_denied&error_code=200&error_description=Permissions+error&error_reason=user_denied&state={state}#_=_")
    } else if get("response_type") == "token" {
        let token = mint(s, &login, 5_400);
        format!(
            "{redirect}#access_token={token}&data_access_expiration_time={}&expires_in=5400&state={state}",
            s.now + 7_776_000
        )
    } else {
        s.minted += 1;
        let code = format!("AQcode{}", s.minted);
        s.codes.insert(code.clone(), redirect.clone());
        format!("{redirect}?code={code}&state={state}#_=_")
    };
    (302, vec![("Location".into(), location)], String::new())
}

/// `/oauth/access_token`: a code for a short-lived user token, or `fb_exchange_token` for a
/// long-lived one; both need the app secret.
fn exchange(s: &mut State, query: &HashMap<String, String>) -> (u16, Vec<(String, String)>, String) {
    let Some(login) = s.login.clone() else { return error(400, 100, None, "Facebook Login is not served here") };
    let get = |k: &str| query.get(k).cloned().unwrap_or_default();
    if get("client_id") != login.app_id || get("client_secret") != login.app_secret {
        return error(400, 1, None, "Error validating client secret.");
    }
    let answer = |token: String, expires_in: i64| {
        (200, Vec::new(), json!({"access_token": token, "token_type": "bearer", "expires_in": expires_in}).to_string())
    };
    if get("grant_type") == "fb_exchange_token" {
        let short = get("fb_exchange_token");
        if s.tokens.get(&short).is_none_or(|t| t.kind != "USER") {
            return error(400, 190, None, "Error validating access token: the session is invalid.");
        }
        let token = mint(s, &login, 5_184_000);
        return answer(token, 5_184_000);
    }
    match s.codes.remove(&get("code")) {
        Some(redirect) if redirect == get("redirect_uri") => {
            let token = mint(s, &login, 5_400);
            answer(token, 5_400)
        }
        Some(_) => error(
            400,
            100,
            Some(36008),
            "Error validating verification code. Please make sure your redirect_uri is identical.",
        ),
        None => error(400, 100, Some(36009), "This authorization code has been used."),
    }
}

/// A new user token for the person logging in, expiring `seconds` from the simulator's now.
fn mint(s: &mut State, login: &Login, seconds: i64) -> String {
    s.minted += 1;
    let token = format!("EAAGminted{}x{}", s.minted, "Zq9".repeat(12));
    let user = Token {
        app_id: login.app_id.clone(),
        kind: "USER",
        scopes: login.scopes.clone(),
        expires_at: s.now + seconds,
        invalid: None,
    };
    s.tokens.insert(token.clone(), user);
    if !s.minted_targets.is_empty() {
        let targets = s.minted_targets.clone();
        s.targets.insert(token.clone(), targets);
    }
    token
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One page of `all` as Meta pages an edge: `limit` items from the `after` cursor, with `next`
/// while more remain.
fn paged(
    query: &HashMap<String, String>,
    page_size: usize,
    all: &[Value],
    edge: &str,
    headers: Vec<(String, String)>,
) -> (u16, Vec<(String, String)>, String) {
    let size = query.get("limit").and_then(|l| l.parse().ok()).unwrap_or(page_size).min(page_size);
    let from: usize = query.get("after").and_then(|a| a.strip_prefix('c')).and_then(|n| n.parse().ok()).unwrap_or(0);
    let page: Vec<Value> = all.iter().skip(from).take(size).cloned().collect();
    page_of(page, from, all.len(), edge, headers, 0)
}

/// A page of items that start at `from` of `total`, with its cursors and `next` while more remain.
fn page_of(
    page: Vec<Value>,
    from: usize,
    total: usize,
    edge: &str,
    headers: Vec<(String, String)>,
    repeated: usize,
) -> (u16, Vec<(String, String)>, String) {
    // A page that repeats an item holds more than it moves on by.
    let to = from + page.len() - repeated;
    let mut paging = json!({"cursors": {"before": format!("c{from}"), "after": format!("c{to}")}});
    if to < total {
        paging["next"] = json!(format!("{VERSION}/{edge}?after=c{to}"));
    }
    (200, headers, json!({"data": page, "paging": paging}).to_string())
}

/// Percent-decoding of a query component, `+` as a space.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
