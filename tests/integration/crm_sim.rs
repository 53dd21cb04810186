//! Local stand-ins for the CRMs' APIs (../shared/reference/crm-apis.md), each behind its own kind
//! of token, with their error bodies and scripted faults: HubSpot's contact properties, batch
//! upsert by email, read and GDPR delete; Salesforce's Lead describe, SOQL query by email, sObject
//! collections, read and delete; Pipedrive's person fields, exact search, create, update, read and
//! delete. Each keeps the records it was sent, so that a test sees what the CRM holds. Each also
//! runs its OAuth authorization server: the authorize page (which sends the browser straight back
//! to the redirect URL, as for a person who is signed in and agrees), and the token endpoint's code
//! exchange with PKCE and refresh. The production client is pointed at one by its base URL and does
//! not know it is not the CRM.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::{json, Value};

/// What the next call gets instead of its answer.
#[derive(Debug, Clone)]
pub enum Fault {
    /// HTTP 429 with `Retry-After: seconds`.
    TooMany(u64),
    /// Salesforce's limit: HTTP 403 with `REQUEST_LIMIT_EXCEEDED`.
    RequestLimit,
    /// HTTP 503 with an empty body.
    Unavailable,
    /// HTTP 401, as for an expired access token.
    Expired,
    /// HTTP 409, HubSpot's "Contact already exists".
    Conflict,
    /// The answer comes after this many milliseconds.
    Slow(u64),
    /// Every access token given through OAuth runs out before this call, which is answered 401.
    TokensRunOut,
}

/// The agency's OAuth app as the simulated CRMs know it.
pub const OAUTH_CLIENT_ID: &str = "custodian-agency-app";
pub const OAUTH_SECRET: &str = "app-secret-5f2b9c0e71d4";

/// What the authorization servers hold: codes not yet exchanged, and the tokens they gave.
#[derive(Default)]
struct Authorizations {
    /// A code's PKCE challenge and redirect URL.
    codes: HashMap<String, (String, String)>,
    access: HashSet<String>,
    refresh: HashSet<String>,
    /// The next authorize page declines instead.
    decline: bool,
    issued: u64,
}

/// What the CRM holds: its records by id, and how many records each kind of call was sent.
#[derive(Default)]
pub struct Held {
    /// HubSpot contacts, Salesforce Leads and Pipedrive persons, by id: their fields as last sent.
    pub hubspot: std::collections::BTreeMap<String, serde_json::Map<String, Value>>,
    pub salesforce: std::collections::BTreeMap<String, serde_json::Map<String, Value>>,
    pub pipedrive: std::collections::BTreeMap<String, serde_json::Map<String, Value>>,
    /// HubSpot contacts' ids by email, as HubSpot looks them up.
    hubspot_by_email: std::collections::HashMap<String, String>,
    /// Emails HubSpot's GDPR delete keeps from being made again.
    pub hubspot_blocked: Vec<String>,
    next_id: u64,
}

impl Held {
    fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:06}", self.next_id)
    }
}

#[derive(Default)]
struct State {
    faults: VecDeque<Fault>,
    /// Faults for the call with this number (the first call is 1).
    faults_at: std::collections::HashMap<usize, Fault>,
    /// Every call: its method and path, and the credential it carried.
    calls: Vec<(String, String, String)>,
    held: Held,
    oauth: Authorizations,
}

pub struct CrmSim {
    pub url: String,
    state: Arc<Mutex<State>>,
    server: Arc<tiny_http::Server>,
    thread: Option<JoinHandle<()>>,
}

impl CrmSim {
    pub fn start(token: &str) -> Self {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").expect("a loopback port"));
        let url = format!("http://{}", server.server_addr().to_ip().expect("an IP address"));
        let state = Arc::new(Mutex::new(State::default()));
        let thread = {
            let (server, state, token) = (server.clone(), state.clone(), token.to_owned());
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = String::new();
                    let _ = std::io::Read::read_to_string(request.as_reader(), &mut body);
                    let header = |name: &str| {
                        request
                            .headers()
                            .iter()
                            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                            .map(|h| h.value.as_str().to_owned())
                            .unwrap_or_default()
                    };
                    let bearer = header("authorization").strip_prefix("Bearer ").map(str::to_owned);
                    let as_bearer = bearer.is_some();
                    let credential = bearer.unwrap_or_else(|| header("x-api-token"));
                    let basic = header("authorization").strip_prefix("Basic ").map(str::to_owned);
                    let (status, headers, body) = match authorization(
                        &state,
                        request.method().as_str(),
                        request.url(),
                        &body,
                        basic,
                        &url_of(&server),
                    ) {
                        Some(answer) => answer,
                        None => {
                            let url = request.url();
                            answer(&state, request.method().as_str(), url, &body, &credential, as_bearer, &token)
                        }
                    };
                    let mut response = tiny_http::Response::from_string(body).with_status_code(status);
                    for (name, value) in headers {
                        response.add_header(tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap());
                    }
                    let _ = request.respond(response);
                }
            })
        };
        Self { url, state, server, thread: Some(thread) }
    }

    /// The next call that has no fault of its own gets this one.
    pub fn fault(&self, fault: Fault) {
        self.state.lock().unwrap().faults.push_back(fault);
    }

    /// Call number `n` (the first call is 1) gets this fault.
    pub fn fault_at(&self, n: usize, fault: Fault) {
        self.state.lock().unwrap().faults_at.insert(n, fault);
    }

    /// Changes what the CRM holds, as someone working in it would.
    pub fn edit(&self, change: impl FnOnce(&mut Held)) {
        change(&mut self.state.lock().unwrap().held)
    }

    /// What the CRM holds now.
    pub fn held<T>(&self, read: impl FnOnce(&Held) -> T) -> T {
        read(&self.state.lock().unwrap().held)
    }

    /// Every call so far: method, path, and the credential it carried.
    pub fn calls(&self) -> Vec<(String, String, String)> {
        self.state.lock().unwrap().calls.clone()
    }

    /// The next sign-in is declined by the person.
    pub fn decline_next_sign_in(&self) {
        self.state.lock().unwrap().oauth.decline = true;
    }

    /// Takes back every refresh token given, as a CRM does when the app's access is revoked.
    pub fn revoke_refresh_tokens(&self) {
        self.state.lock().unwrap().oauth.refresh.clear();
    }

    /// Access and refresh tokens given through OAuth so far.
    pub fn tokens_given(&self) -> u64 {
        self.state.lock().unwrap().oauth.issued
    }
}

fn url_of(server: &tiny_http::Server) -> String {
    format!("http://{}", server.server_addr().to_ip().expect("an IP address"))
}

fn form_of(text: &str) -> HashMap<String, String> {
    reqwest::Url::parse(&format!("http://x/?{text}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// The authorization servers: the authorize page and the token endpoints. `None` for any other call.
fn authorization(
    state: &Mutex<State>,
    method: &str,
    url: &str,
    body: &str,
    basic: Option<String>,
    me: &str,
) -> Option<Answer> {
    use base64::Engine;
    use sha2::Digest;
    let path = url.split('?').next().unwrap_or(url);
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let crm = match path {
        "/oauth/authorize" => "hubspot-or-pipedrive",
        "/oauth/v1/token" => "hubspot",
        "/services/oauth2/authorize" | "/services/oauth2/token" => "salesforce",
        "/oauth/token" => "pipedrive",
        _ => return None,
    };
    let mut s = state.lock().unwrap();
    s.calls.push((method.to_owned(), path.to_owned(), String::new()));
    let refused = |error: &str, description: &str| -> Answer {
        (400, Vec::new(), json!({"error": error, "error_description": description}).to_string())
    };
    if path.ends_with("/authorize") {
        let q = form_of(query);
        let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
        let state_param = q.get("state").cloned().unwrap_or_default();
        if q.get("client_id").map(String::as_str) != Some(OAUTH_CLIENT_ID) || !redirect.starts_with("http://127.0.0.1:")
        {
            return Some((400, Vec::new(), "unknown app or redirect URL".into()));
        }
        let mut back = reqwest::Url::parse(&redirect).unwrap();
        if std::mem::take(&mut s.oauth.decline) {
            back.query_pairs_mut().append_pair("error", "access_denied").append_pair("state", &state_param);
        } else {
            if q.get("code_challenge_method").map(String::as_str) != Some("S256") {
                return Some((400, Vec::new(), "PKCE with S256 is required".into()));
            }
            s.oauth.issued += 1;
            let code = format!("code-{}", s.oauth.issued);
            s.oauth.codes.insert(code.clone(), (q.get("code_challenge").cloned().unwrap_or_default(), redirect));
            back.query_pairs_mut().append_pair("code", &code).append_pair("state", &state_param);
        }
        return Some((302, vec![("Location".into(), back.to_string())], String::new()));
    }
    if method != "POST" {
        return Some((405, Vec::new(), String::new()));
    }
    let form = form_of(body);
    let (client_id, secret) = match (crm, basic) {
        ("pipedrive", Some(basic)) => {
            let decoded = base64::engine::general_purpose::STANDARD.decode(basic).unwrap_or_default();
            let decoded = String::from_utf8(decoded).unwrap_or_default();
            let (id, secret) = decoded.split_once(':').unwrap_or((&decoded, ""));
            (id.to_owned(), secret.to_owned())
        }
        _ => {
            (form.get("client_id").cloned().unwrap_or_default(), form.get("client_secret").cloned().unwrap_or_default())
        }
    };
    if client_id != OAUTH_CLIENT_ID || (crm != "salesforce" && secret != OAUTH_SECRET) {
        return Some((
            401,
            Vec::new(),
            json!({"error": "invalid_client", "error_description": "client authentication failed"}).to_string(),
        ));
    }
    let rotate = crm == "pipedrive";
    let mut refresh = None;
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let code = form.get("code").cloned().unwrap_or_default();
            let Some((challenge, redirect)) = s.oauth.codes.remove(&code) else {
                return Some(refused("invalid_grant", "authorization code is invalid or was used"));
            };
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            let made =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()));
            if made != challenge {
                return Some(refused("invalid_grant", "code_verifier does not match the challenge"));
            }
            if form.get("redirect_uri") != Some(&redirect) {
                return Some(refused("invalid_grant", "redirect_uri mismatch"));
            }
        }
        Some("refresh_token") => {
            let given = form.get("refresh_token").cloned().unwrap_or_default();
            if !s.oauth.refresh.contains(&given) {
                return Some(refused("invalid_grant", "expired access/refresh token"));
            }
            if rotate {
                s.oauth.refresh.remove(&given);
            } else {
                refresh = Some(given);
            }
        }
        _ => return Some(refused("unsupported_grant_type", "grant type not supported")),
    }
    s.oauth.issued += 1;
    let access = format!("oauth-access-{:04}-9d1c", s.oauth.issued);
    let refresh = refresh.unwrap_or_else(|| format!("oauth-refresh-{:04}-77ab", s.oauth.issued));
    s.oauth.access.insert(access.clone());
    s.oauth.refresh.insert(refresh.clone());
    let mut answer = json!({"access_token": access, "refresh_token": refresh, "token_type": "bearer"});
    match crm {
        "salesforce" => {
            answer["instance_url"] = json!(me);
            answer["issued_at"] = json!("1796000000000");
        }
        "pipedrive" => {
            answer["api_domain"] = json!(me);
            answer["expires_in"] = json!(3599);
        }
        _ => answer["expires_in"] = json!(1800),
    }
    Some((200, Vec::new(), answer.to_string()))
}

impl Drop for CrmSim {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

type Answer = (u16, Vec<(String, String)>, String);

fn answer(
    state: &Mutex<State>,
    method: &str,
    url: &str,
    body: &str,
    credential: &str,
    as_bearer: bool,
    token: &str,
) -> Answer {
    let path = url.split('?').next().unwrap_or(url);
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    let mut s = state.lock().unwrap();
    s.calls.push((method.to_owned(), path.to_owned(), credential.to_owned()));
    let salesforce = path.starts_with("/services/");
    let pipedrive = path.starts_with("/api/");
    let unauthorized = || -> (u16, Vec<(String, String)>, String) {
        let body = if salesforce {
            json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
        } else if pipedrive {
            json!({"success": false, "error": "unauthorized access", "errorCode": 401})
        } else {
            json!({"status": "error", "message": "Authentication credentials not found.", "category": "INVALID_AUTHENTICATION"})
        };
        (401, Vec::new(), body.to_string())
    };
    let number = s.calls.len();
    let fault = s.faults_at.remove(&number).or_else(|| s.faults.pop_front());
    if let Some(fault) = fault {
        match fault {
            Fault::TooMany(seconds) => {
                return (
                    429,
                    vec![("Retry-After".into(), seconds.to_string())],
                    json!({"status": "error", "message": "You have reached your secondly limit.", "category": "RATE_LIMITS"})
                        .to_string(),
                )
            }
            Fault::RequestLimit => {
                return (
                    403,
                    Vec::new(),
                    json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]).to_string(),
                )
            }
            Fault::Unavailable => return (503, Vec::new(), String::new()),
            Fault::Expired => return unauthorized(),
            Fault::TokensRunOut => {
                s.oauth.access.clear();
                return unauthorized();
            }
            Fault::Conflict => {
                return (
                    409,
                    Vec::new(),
                    json!({"status": "error", "message": "Contact already exists. Existing ID: 1", "category": "CONFLICT"})
                        .to_string(),
                )
            }
            // The call is acted on, but answered late: as when the answer is lost on the way.
            Fault::Slow(ms) => {
                drop(s);
                std::thread::sleep(std::time::Duration::from_millis(ms));
                s = state.lock().unwrap();
            }
        }
    }
    // An OAuth access token is a bearer token: Pipedrive's `x-api-token` header takes API tokens only.
    if credential != token && !(as_bearer && s.oauth.access.contains(credential)) {
        return unauthorized();
    }
    match (method, path) {
        ("GET", "/crm/v3/properties/contacts") => (200, Vec::new(), hubspot_properties().to_string()),
        ("GET", p) if p.starts_with("/services/data/") && p.ends_with("/sobjects/Lead/describe") => {
            (200, Vec::new(), salesforce_describe().to_string())
        }
        ("GET", "/api/v1/personFields") => (200, Vec::new(), pipedrive_fields().to_string()),
        _ => {
            let body: Value = serde_json::from_str(body).unwrap_or(Value::Null);
            let held = &mut s.held;
            if pipedrive {
                pipedrive_records(held, method, path, query, &body)
            } else if salesforce {
                salesforce_records(held, method, path, query, &body)
            } else {
                hubspot_records(held, method, path, query, &body)
            }
        }
    }
}

fn not_found(body: Value) -> Answer {
    (404, Vec::new(), body.to_string())
}

fn lowercase_email(fields: &serde_json::Map<String, Value>, key: &str) -> Option<String> {
    fields.get(key).and_then(Value::as_str).map(|e| e.trim().to_lowercase())
}

fn hubspot_records(held: &mut Held, method: &str, path: &str, query: &str, body: &Value) -> Answer {
    let missing =
        || not_found(json!({"status": "error", "message": "Object not found.", "category": "OBJECT_NOT_FOUND"}));
    match (method, path) {
        ("POST", "/crm/v3/objects/contacts/batch/upsert") => {
            let inputs = body["inputs"].as_array().cloned().unwrap_or_default();
            if inputs.len() > 100 {
                return (
                    400,
                    Vec::new(),
                    json!({"status": "error", "message": "Batch size exceeds 100", "category": "VALIDATION_ERROR"})
                        .to_string(),
                );
            }
            let mut ids: Vec<String> = Vec::new();
            for input in &inputs {
                let id = input["id"].as_str().unwrap_or_default().to_lowercase();
                if ids.contains(&id) {
                    return (400, Vec::new(), json!({"status": "error", "message": "Duplicate IDs found in batch input", "category": "VALIDATION_ERROR"}).to_string());
                }
                // HubSpot checks every value before it changes anything: one bad one refuses the batch.
                if !id.contains('@') || held.hubspot_blocked.contains(&id) {
                    let why = if id.contains('@') {
                        "was GDPR-deleted and cannot be recreated"
                    } else {
                        "is not a valid email address"
                    };
                    return (
                        400,
                        Vec::new(),
                        json!({"status": "error", "category": "VALIDATION_ERROR",
                        "message": format!("Property values were not valid: email {why}")})
                        .to_string(),
                    );
                }
                ids.push(id);
            }
            let mut results = Vec::new();
            for (input, email) in inputs.iter().zip(ids) {
                let existing = held.hubspot_by_email.get(&email).cloned();
                let new = existing.is_none();
                let id = existing.unwrap_or_else(|| held.new_id("1"));
                held.hubspot_by_email.insert(email.clone(), id.clone());
                let contact = held.hubspot.entry(id.clone()).or_default();
                for (k, v) in input["properties"].as_object().cloned().unwrap_or_default() {
                    contact.insert(k, v);
                }
                contact.insert("email".into(), json!(email));
                results.push(json!({"id": id, "new": new, "properties": contact.clone()}));
            }
            (200, Vec::new(), json!({"status": "COMPLETE", "results": results}).to_string())
        }
        ("POST", "/crm/v3/objects/contacts/batch/update") => {
            let inputs = body["inputs"].as_array().cloned().unwrap_or_default();
            if let Some(gone) = inputs.iter().find(|i| !held.hubspot.contains_key(i["id"].as_str().unwrap_or_default()))
            {
                return (
                    404,
                    Vec::new(),
                    json!({"status": "error", "category": "OBJECT_NOT_FOUND",
                    "message": format!("Object {} not found", gone["id"])})
                    .to_string(),
                );
            }
            let mut results = Vec::new();
            for input in inputs {
                let id = input["id"].as_str().unwrap_or_default().to_owned();
                let contact = held.hubspot.get_mut(&id).expect("checked above");
                let before = lowercase_email(contact, "email");
                contact.extend(input["properties"].as_object().cloned().unwrap_or_default());
                let after = lowercase_email(contact, "email");
                if before != after {
                    if let Some(before) = before {
                        held.hubspot_by_email.remove(&before);
                    }
                    if let Some(after) = after {
                        held.hubspot_by_email.insert(after, id.clone());
                    }
                }
                results.push(json!({"id": id, "properties": contact.clone()}));
            }
            (200, Vec::new(), json!({"status": "COMPLETE", "results": results}).to_string())
        }
        ("POST", "/crm/v3/objects/contacts/gdpr-delete") => {
            let id = body["objectId"].as_str().unwrap_or_default().to_owned();
            match held.hubspot.remove(&id) {
                Some(contact) => {
                    if let Some(email) = lowercase_email(&contact, "email") {
                        held.hubspot_by_email.remove(&email);
                        held.hubspot_blocked.push(email);
                    }
                    (204, Vec::new(), String::new())
                }
                None => missing(),
            }
        }
        ("GET", p) if p.starts_with("/crm/v3/objects/contacts/") => {
            let id = &p["/crm/v3/objects/contacts/".len()..];
            // Only the default properties, unless others are asked for by name.
            let asked = query_value(query, "properties").unwrap_or_else(|| "email,firstname,lastname".into());
            let asked: Vec<&str> = asked.split(',').collect();
            match held.hubspot.get(id) {
                Some(contact) => {
                    let shown: serde_json::Map<String, Value> = contact
                        .iter()
                        .filter(|(k, _)| asked.contains(&k.as_str()))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    (200, Vec::new(), json!({"id": id, "properties": shown}).to_string())
                }
                None => missing(),
            }
        }
        // Archived (HubSpot's plain delete): gone from the CRM, its email free to be used again.
        ("DELETE", p) if p.starts_with("/crm/v3/objects/contacts/") => {
            let id = &p["/crm/v3/objects/contacts/".len()..];
            match held.hubspot.remove(id) {
                Some(_) => {
                    held.hubspot_by_email.retain(|_, held_id| held_id != id);
                    (204, Vec::new(), String::new())
                }
                None => missing(),
            }
        }
        _ => not_found(json!({"status": "error", "message": "Resource not found"})),
    }
}

fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            let v = v.replace('+', " ");
            let bytes = v.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' && i + 2 < bytes.len() {
                    out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap_or(b'?'));
                    i += 3;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            String::from_utf8_lossy(&out).into_owned()
        })
    })
}

fn salesforce_records(held: &mut Held, method: &str, path: &str, query: &str, body: &Value) -> Answer {
    let missing = || not_found(json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]));
    let lead_path = path.split_once("/sobjects/Lead/").map(|(_, id)| id.to_owned()).filter(|id| id != "describe");
    match (method, lead_path) {
        ("GET", Some(id)) => match held.salesforce.get(&id) {
            Some(lead) => {
                let mut lead = lead.clone();
                lead.insert("Id".into(), json!(id));
                lead.insert("attributes".into(), json!({"type": "Lead"}));
                (200, Vec::new(), Value::Object(lead).to_string())
            }
            None => missing(),
        },
        ("DELETE", Some(id)) => match held.salesforce.remove(&id) {
            Some(_) => (204, Vec::new(), String::new()),
            None => missing(),
        },
        ("GET", None) if path.ends_with("/query") => {
            // Only the one query Custodian makes: SELECT Id, Email FROM Lead WHERE Email IN ('a','b').
            let q = query_value(query, "q").unwrap_or_default();
            let Some(list) =
                q.strip_prefix("SELECT Id, Email FROM Lead WHERE Email IN (").and_then(|l| l.strip_suffix(')'))
            else {
                return (
                    400,
                    Vec::new(),
                    json!([{"errorCode": "MALFORMED_QUERY", "message": "unexpected query"}]).to_string(),
                );
            };
            let mut emails = Vec::new();
            let mut current = String::new();
            let mut quoted = false;
            let mut chars = list.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' if quoted => current.extend(chars.next()),
                    '\'' if quoted => {
                        quoted = false;
                        emails.push(std::mem::take(&mut current).to_lowercase());
                    }
                    '\'' => quoted = true,
                    c if quoted => current.push(c),
                    _ => {}
                }
            }
            let records: Vec<Value> = held
                .salesforce
                .iter()
                .filter(|(_, l)| lowercase_email(l, "Email").is_some_and(|e| emails.contains(&e)))
                .map(|(id, l)| json!({"attributes": {"type": "Lead"}, "Id": id, "Email": l["Email"]}))
                .collect();
            (200, Vec::new(), json!({"totalSize": records.len(), "done": true, "records": records}).to_string())
        }
        ("POST" | "PATCH", None) if path.ends_with("/composite/sobjects") => {
            let records = body["records"].as_array().cloned().unwrap_or_default();
            if records.len() > 200 {
                return (
                    400,
                    Vec::new(),
                    json!([{"errorCode": "EXCEEDED_ID_LIMIT", "message": "record limit exceeded"}]).to_string(),
                );
            }
            let mut results = Vec::new();
            for record in records {
                let mut fields = record.as_object().cloned().unwrap_or_default();
                fields.remove("attributes");
                let id = fields.remove("Id").and_then(|v| v.as_str().map(str::to_owned));
                let error = |code: &str, message: &str| json!({"success": false, "errors": [{"statusCode": code, "message": message, "fields": []}]});
                if fields.get("Email").and_then(Value::as_str).is_some_and(|e| !e.contains('@')) {
                    results.push(error("INVALID_EMAIL_ADDRESS", "Email: invalid email address"));
                    continue;
                }
                if method == "POST" {
                    if fields.get("LastName").and_then(Value::as_str).is_none_or(str::is_empty) {
                        results.push(error("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]"));
                        continue;
                    }
                    let id = held.new_id("00Q5g00000");
                    held.salesforce.insert(id.clone(), fields);
                    results.push(json!({"id": id, "success": true, "errors": []}));
                } else {
                    match id.as_ref().and_then(|id| held.salesforce.get_mut(id)) {
                        Some(lead) => {
                            lead.extend(fields);
                            results.push(json!({"id": id, "success": true, "errors": []}));
                        }
                        None => results.push(error("ENTITY_IS_DELETED", "entity is deleted")),
                    }
                }
            }
            (200, Vec::new(), Value::Array(results).to_string())
        }
        _ => missing(),
    }
}

fn pipedrive_records(held: &mut Held, method: &str, path: &str, query: &str, body: &Value) -> Answer {
    let missing = || not_found(json!({"success": false, "error": "Person not found", "errorCode": 404}));
    let id = path.strip_prefix("/api/v2/persons/").filter(|id| *id != "search").map(str::to_owned);
    let primary_email = |person: &serde_json::Map<String, Value>| {
        person
            .get("emails")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
            .and_then(|e| e["value"].as_str())
            .map(str::to_lowercase)
    };
    match (method, path, id) {
        ("GET", "/api/v2/persons/search", _) => {
            let term = query_value(query, "term").unwrap_or_default().to_lowercase();
            let items: Vec<Value> = held
                .pipedrive
                .iter()
                .filter(|(_, p)| primary_email(p).as_deref() == Some(term.as_str()))
                .map(|(id, p)| json!({"result_score": 1.0, "item": {"id": id.parse::<u64>().unwrap_or(0), "type": "person", "name": p["name"]}}))
                .collect();
            (200, Vec::new(), json!({"success": true, "data": {"items": items}}).to_string())
        }
        ("POST", "/api/v2/persons", _) => {
            let person = body.as_object().cloned().unwrap_or_default();
            if person.get("name").and_then(Value::as_str).is_none_or(str::is_empty) {
                return (
                    400,
                    Vec::new(),
                    json!({"success": false, "error": "Name must be given", "errorCode": 400}).to_string(),
                );
            }
            held.next_id += 1;
            let id = held.next_id;
            held.pipedrive.insert(id.to_string(), person.clone());
            (201, Vec::new(), json!({"success": true, "data": {"id": id, "name": person["name"]}}).to_string())
        }
        ("PATCH", _, Some(id)) => match held.pipedrive.get_mut(&id) {
            Some(person) => {
                person.extend(body.as_object().cloned().unwrap_or_default());
                (200, Vec::new(), json!({"success": true, "data": {"id": id.parse::<u64>().unwrap_or(0)}}).to_string())
            }
            None => missing(),
        },
        ("GET", _, Some(id)) => match held.pipedrive.get(&id) {
            Some(person) => {
                let mut person = person.clone();
                person.insert("id".into(), json!(id.parse::<u64>().unwrap_or(0)));
                (200, Vec::new(), json!({"success": true, "data": person}).to_string())
            }
            None => missing(),
        },
        ("DELETE", _, Some(id)) => match held.pipedrive.remove(&id) {
            Some(_) => {
                (200, Vec::new(), json!({"success": true, "data": {"id": id.parse::<u64>().unwrap_or(0)}}).to_string())
            }
            None => missing(),
        },
        _ => missing(),
    }
}

pub fn hubspot_properties() -> Value {
    json!({"results": [
        {"name": "email", "label": "Email", "type": "string", "fieldType": "text", "groupName": "contactinformation"},
        {"name": "firstname", "label": "First Name", "type": "string", "fieldType": "text"},
        {"name": "lastname", "label": "Last Name", "type": "string", "fieldType": "text"},
        {"name": "phone", "label": "Phone Number", "type": "string", "fieldType": "phonenumber"},
        {"name": "city", "label": "City", "type": "string", "fieldType": "text"},
        {"name": "hs_lead_status", "label": "Lead Status", "type": "enumeration", "fieldType": "select",
            "options": [{"label": "New", "value": "NEW"}, {"label": "Open", "value": "OPEN"}]},
        {"name": "lifecyclestage", "label": "Lifecycle Stage", "type": "enumeration", "fieldType": "radio",
            "options": [{"label": "Subscriber", "value": "subscriber"}, {"label": "Lead", "value": "lead"},
                {"label": "Marketing Qualified Lead", "value": "marketingqualifiedlead"},
                {"label": "Sales Qualified Lead", "value": "salesqualifiedlead"},
                {"label": "Opportunity", "value": "opportunity"}, {"label": "Customer", "value": "customer"}]},
        {"name": "hs_object_id", "label": "Record ID", "type": "number", "fieldType": "number",
            "modificationMetadata": {"readOnlyValue": true}},
    ]})
}

pub fn salesforce_describe() -> Value {
    json!({"name": "Lead", "fields": [
        {"name": "Id", "label": "Lead ID", "type": "id", "nillable": false, "createable": false},
        {"name": "FirstName", "label": "First Name", "type": "string", "nillable": true, "createable": true},
        {"name": "LastName", "label": "Last Name", "type": "string", "nillable": false, "createable": true},
        {"name": "Company", "label": "Company", "type": "string", "nillable": false, "createable": true},
        {"name": "Email", "label": "Email", "type": "email", "nillable": true, "createable": true},
        {"name": "Phone", "label": "Phone", "type": "phone", "nillable": true, "createable": true},
        {"name": "Status", "label": "Status", "type": "picklist", "nillable": false, "createable": true,
            "defaultedOnCreate": true, "picklistValues": [{"value": "Open - Not Contacted"},
            {"value": "Working - Contacted"}, {"value": "Closed - Converted"}, {"value": "Closed - Not Converted"}]},
    ]})
}

pub fn pipedrive_fields() -> Value {
    json!({"success": true, "data": [
        {"key": "name", "name": "Name", "field_type": "varchar", "mandatory_flag": true},
        {"key": "email", "name": "Email", "field_type": "varchar"},
        {"key": "phone", "name": "Phone", "field_type": "phone"},
        {"key": "5f1c9a0d3b2e4f6a8c7d9e0f1a2b3c4d5e6f7a8b", "name": "Budget", "field_type": "enum",
            "options": [{"id": 11, "label": "Low"}, {"id": 12, "label": "High"}]},
        {"key": "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d", "name": "Interests", "field_type": "set",
            "options": [{"id": 21, "label": "Shoes"}, {"id": 22, "label": "Bags"}]},
    ]})
}
