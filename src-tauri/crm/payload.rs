//! What is sent to a CRM for one lead, in the CRM's own shape (../shared/reference/crm-apis.md):
//! a HubSpot batch-upsert input matched by email, a Salesforce Lead as its fields, a Pipedrive
//! person with its emails and phones as lists. The preview shows exactly this, and a push sends it.

use serde_json::{json, Map, Value};

use super::mapping::Problem;
use super::Crm;

/// The hash of the fields sent for a lead: the same fields are not sent twice.
pub fn hash(fields: &Map<String, Value>) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(serde_json::to_vec(fields).expect("fields serialise")).to_vec()
}

/// The request body for one lead whose mapped fields are `fields`.
pub fn body(crm: Crm, fields: Map<String, Value>) -> Result<Value, Problem> {
    match crm {
        Crm::HubSpot => {
            // Contacts are upserted by email, so that pushing twice never makes a second contact.
            let Some(email) = fields.get("email").and_then(Value::as_str).map(str::to_owned) else {
                return Err(Problem {
                    field: Some("email".into()),
                    says: "HubSpot contacts are matched by email: map the lead's email to it".into(),
                });
            };
            Ok(json!({"inputs": [{"id": email, "idProperty": "email", "properties": fields}]}))
        }
        Crm::Salesforce => Ok(Value::Object(fields)),
        Crm::Pipedrive => {
            let mut person = fields;
            for (key, label) in [("email", "work"), ("phone", "mobile")] {
                match person.remove(key) {
                    // A correction that empties the answer empties the list.
                    Some(Value::Null) => {
                        person.insert(format!("{key}s"), json!([]));
                    }
                    Some(value) => {
                        person.insert(format!("{key}s"), json!([{"value": value, "primary": true, "label": label}]));
                    }
                    None => {}
                }
            }
            Ok(Value::Object(person))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Map<String, Value> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned()))).collect()
    }

    #[test]
    fn each_crm_gets_its_own_shape_and_hubspot_is_matched_by_email() {
        let hubspot = body(Crm::HubSpot, fields(&[("email", "ann@example.com"), ("firstname", "Ann")])).unwrap();
        assert_eq!(
            hubspot,
            json!({"inputs": [{"id": "ann@example.com", "idProperty": "email",
                "properties": {"email": "ann@example.com", "firstname": "Ann"}}]})
        );
        assert!(body(Crm::HubSpot, fields(&[("firstname", "Ann")])).is_err(), "no email, no upsert");
        let pipedrive = body(Crm::Pipedrive, fields(&[("name", "Ann Lee"), ("email", "ann@example.com")])).unwrap();
        assert_eq!(
            pipedrive,
            json!({"name": "Ann Lee", "emails": [{"value": "ann@example.com", "primary": true, "label": "work"}]})
        );
        let salesforce = body(Crm::Salesforce, fields(&[("LastName", "Lee")])).unwrap();
        assert_eq!(salesforce, json!({"LastName": "Lee"}));
    }
}
