//! Local stand-ins for the CRMs' APIs (../shared/reference/crm-apis.md): HubSpot's contact
//! properties, Salesforce's Lead describe and Pipedrive's person fields, each behind its own kind of
//! token, with their error bodies and scripted faults. The production client is pointed at one by
//! its base URL and does not know it is not the CRM.

use std::collections::VecDeque;
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
}

#[derive(Default)]
struct State {
    faults: VecDeque<Fault>,
    /// Every call: its method and path, and the credential it carried.
    calls: Vec<(String, String, String)>,
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
                for request in server.incoming_requests() {
                    let header = |name: &str| {
                        request
                            .headers()
                            .iter()
                            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
                            .map(|h| h.value.as_str().to_owned())
                            .unwrap_or_default()
                    };
                    let credential = match header("authorization").strip_prefix("Bearer ") {
                        Some(bearer) => bearer.to_owned(),
                        None => header("x-api-token"),
                    };
                    let (status, headers, body) =
                        answer(&state, request.method().as_str(), request.url(), &credential, &token);
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

    pub fn fault(&self, fault: Fault) {
        self.state.lock().unwrap().faults.push_back(fault);
    }

    /// Every call so far: method, path, and the credential it carried.
    pub fn calls(&self) -> Vec<(String, String, String)> {
        self.state.lock().unwrap().calls.clone()
    }
}

impl Drop for CrmSim {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn answer(
    state: &Mutex<State>,
    method: &str,
    url: &str,
    credential: &str,
    token: &str,
) -> (u16, Vec<(String, String)>, String) {
    let path = url.split('?').next().unwrap_or(url);
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
    if let Some(fault) = s.faults.pop_front() {
        return match fault {
            Fault::TooMany(seconds) => (
                429,
                vec![("Retry-After".into(), seconds.to_string())],
                json!({"status": "error", "message": "You have reached your secondly limit.", "category": "RATE_LIMITS"})
                    .to_string(),
            ),
            Fault::RequestLimit => (
                403,
                Vec::new(),
                json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]).to_string(),
            ),
            Fault::Unavailable => (503, Vec::new(), String::new()),
            Fault::Expired => unauthorized(),
        };
    }
    if credential != token {
        return unauthorized();
    }
    match (method, path) {
        ("GET", "/crm/v3/properties/contacts") => (200, Vec::new(), hubspot_properties().to_string()),
        ("GET", p) if p.starts_with("/services/data/") && p.ends_with("/sobjects/Lead/describe") => {
            (200, Vec::new(), salesforce_describe().to_string())
        }
        ("GET", "/api/v1/personFields") => (200, Vec::new(), pipedrive_fields().to_string()),
        _ => (404, Vec::new(), json!({"status": "error", "message": "Resource not found"}).to_string()),
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
            "defaultedOnCreate": true, "picklistValues": [{"value": "Open - Not Contacted"}]},
    ]})
}

pub fn pipedrive_fields() -> Value {
    json!({"success": true, "data": [
        {"key": "name", "name": "Name", "field_type": "varchar", "mandatory_flag": true},
        {"key": "email", "name": "Email", "field_type": "varchar"},
        {"key": "phone", "name": "Phone", "field_type": "phone"},
        {"key": "5f1c9a0d3b2e4f6a8c7d9e0f1a2b3c4d5e6f7a8b", "name": "Budget", "field_type": "enum",
            "options": [{"id": 11, "label": "Low"}, {"id": 12, "label": "High"}]},
    ]})
}
