//! What Meta's `debug_token` says of a token, and whether Custodian can work with it: valid, of the
//! workspace's own app, and granted every permission Lead Ads needs.

use serde_json::Value;

/// The permissions reading leads from Pages needs (../shared/reference/meta-graph-api.md).
pub const LEAD_ADS_SCOPES: [&str; 4] =
    ["leads_retrieval", "pages_show_list", "pages_read_engagement", "pages_manage_metadata"];

/// A token as `debug_token` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub valid: bool,
    pub app_id: String,
    /// SYSTEM_USER, USER, PAGE or APP.
    pub token_type: String,
    pub user_id: Option<String>,
    pub scopes: Vec<String>,
    /// Seconds since 1970; `None` when it never expires.
    pub expires_at: Option<i64>,
    /// Meta's reason when it is not valid.
    pub problem: Option<String>,
    /// The permissions granted for given objects only (`granular_scopes` with `target_ids`).
    pub targets: Vec<Targets>,
}

/// A permission granted for given Pages, WhatsApp accounts or businesses only.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Targets {
    pub scope: String,
    pub target_ids: Vec<String>,
}

/// Why a token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("Meta says this token is not valid ({0}); generate a new one and try again.")]
    Invalid(String),
    #[error("This token belongs to Meta app {theirs}, not to this workspace's app {ours}; use a token of the agency's own app.")]
    OtherApp { theirs: String, ours: String },
    #[error("This is a token of type {0}; connect a system-user, user or Page token.")]
    WrongType(String),
    #[error("The token lacks {}: grant {} to the app and generate the token again.", .0.join(", "), if .0.len() == 1 { "it" } else { "them" })]
    MissingScopes(Vec<String>),
}

/// Reads `debug_token`'s answer; `None` when it does not have the documented shape.
pub fn read(answer: &Value) -> Option<Inspected> {
    let data = answer.get("data")?;
    let text = |key: &str| data.get(key).and_then(Value::as_str).map(str::to_owned);
    let valid = data.get("is_valid").and_then(Value::as_bool)?;
    Some(Inspected {
        valid,
        app_id: text("app_id").unwrap_or_default(),
        token_type: text("type").unwrap_or_default(),
        user_id: text("user_id"),
        scopes: data
            .get("scopes")
            .and_then(Value::as_array)
            .map(|s| s.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default(),
        expires_at: data.get("expires_at").and_then(Value::as_i64).filter(|&t| t > 0),
        problem: data.pointer("/error/message").and_then(Value::as_str).map(str::to_owned),
        targets: data
            .get("granular_scopes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|g| {
                let scope = g.get("scope").and_then(Value::as_str)?.to_owned();
                let ids = g.get("target_ids").and_then(Value::as_array)?;
                let target_ids: Vec<String> = ids
                    .iter()
                    .filter_map(|id| id.as_str().map(str::to_owned).or_else(|| id.as_i64().map(|n| n.to_string())))
                    .collect();
                (!target_ids.is_empty()).then_some(Targets { scope, target_ids })
            })
            .collect(),
    })
}

/// Whether Custodian can work with the token, for the workspace's app `app_id`.
pub fn check(token: &Inspected, app_id: &str) -> Result<(), Refusal> {
    if !token.valid {
        return Err(Refusal::Invalid(token.problem.clone().unwrap_or_else(|| "no reason given".into())));
    }
    if token.app_id != app_id {
        return Err(Refusal::OtherApp { theirs: token.app_id.clone(), ours: app_id.to_owned() });
    }
    if !matches!(token.token_type.as_str(), "SYSTEM_USER" | "USER" | "PAGE") {
        return Err(Refusal::WrongType(token.token_type.clone()));
    }
    let missing: Vec<String> =
        LEAD_ADS_SCOPES.iter().filter(|s| !token.scopes.iter().any(|t| t == *s)).map(|s| (*s).to_owned()).collect();
    if !missing.is_empty() {
        return Err(Refusal::MissingScopes(missing));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn token(scopes: &[&str]) -> Inspected {
        read(&json!({"data": {"is_valid": true, "app_id": "1234", "type": "SYSTEM_USER", "expires_at": 0,
            "scopes": scopes}}))
        .unwrap()
    }

    #[test]
    fn a_token_is_refused_naming_each_permission_it_lacks() {
        assert_eq!(check(&token(&LEAD_ADS_SCOPES), "1234"), Ok(()));
        let e = check(&token(&["leads_retrieval", "pages_show_list"]), "1234").unwrap_err();
        assert_eq!(e, Refusal::MissingScopes(vec!["pages_read_engagement".into(), "pages_manage_metadata".into()]));
        assert!(e.to_string().contains("lacks pages_read_engagement, pages_manage_metadata"), "{e}");
        assert!(matches!(check(&token(&LEAD_ADS_SCOPES), "999"), Err(Refusal::OtherApp { .. })));
        assert_eq!(token(&[]).expires_at, None, "0 is never");
    }

    #[test]
    fn granular_scopes_name_the_objects_a_permission_was_granted_for() {
        let t = read(&json!({"data": {"is_valid": true, "app_id": "1", "type": "USER", "scopes": ["leads_retrieval"],
            "granular_scopes": [{"scope": "leads_retrieval", "target_ids": ["p1", 112]}, {"scope": "email"}]}}))
        .unwrap();
        assert_eq!(
            t.targets,
            vec![Targets { scope: "leads_retrieval".into(), target_ids: vec!["p1".into(), "112".into()] }]
        );
    }
}
