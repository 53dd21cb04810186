//! A CRM's fields, as its schema describes them (../shared/reference/crm-apis.md): HubSpot's contact
//! properties, Salesforce's Lead describe, Pipedrive's person fields (custom ones keyed by a hash).
//! One shape for all three, so that a mapping is checked the same way whichever CRM it is for.

use serde::Serialize;
use serde_json::Value;

use super::Crm;

/// What a field holds, as far as a mapping needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
    Date,
    /// One of `options`.
    Choice,
    Email,
    Phone,
    Bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Field {
    /// What a record names it by: HubSpot's property name, Salesforce's API name, Pipedrive's key.
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
    /// A record cannot be created without it.
    pub required: bool,
    /// For a choice: the values it takes.
    pub options: Vec<String>,
    /// For a choice whose records hold something other than the option as listed (Pipedrive's
    /// hold the option's id): what they hold for each of `options`, in the same order; empty when
    /// a record holds the option itself.
    #[serde(default)]
    pub option_values: Vec<String>,
    /// A choice of several options at once (Pipedrive's `set`): a record holds a list.
    #[serde(default)]
    pub multiple: bool,
}

impl Field {
    /// What a record holds for the option `named` (as the CRM lists it, or as a record holds it);
    /// `None` when the field is a choice and no option is so named. A label is taken before an
    /// id that happens to read the same.
    pub fn value_of<'a>(&'a self, named: &'a str) -> Option<&'a str> {
        if self.options.is_empty() {
            return Some(named);
        }
        match self.options.iter().position(|o| o == named) {
            Some(n) => Some(self.option_values.get(n).unwrap_or(&self.options[n])),
            None => self.option_values.iter().find(|v| *v == named).map(String::as_str),
        }
    }

    /// The option a record's `value` is, as the CRM lists it: `value` itself unless the records
    /// hold something else for it (Pipedrive's, an option's id).
    pub fn label_of<'a>(&'a self, value: &'a str) -> &'a str {
        self.option_values.iter().position(|v| v == value).map_or(value, |n| &self.options[n])
    }
}

/// A CRM's fields that a mapping can write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Schema {
    pub crm: Crm,
    pub fields: Vec<Field>,
}

impl Schema {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Reads the CRM's answer; `None` when it does not have the documented shape.
    pub fn read(crm: Crm, answer: &Value) -> Option<Self> {
        let fields = match crm {
            Crm::HubSpot => hubspot(answer)?,
            Crm::Salesforce => salesforce(answer)?,
            Crm::Pipedrive => pipedrive(answer)?,
        };
        Some(Self { crm, fields })
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A string, or a whole number written as one (CRMs write option values and ids either way).
fn string_or_number(v: Option<&Value>) -> Option<String> {
    let v = v?;
    v.as_str().map(str::to_owned).or_else(|| v.as_i64().map(|n| n.to_string()))
}

fn options(v: &Value, key: &str, value: &str) -> Vec<String> {
    v.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(|o| string_or_number(o.get(value))).collect()
}

/// Pipedrive's `options[{id,label}]`: the labels, and the ids in the same order (an option
/// without both is not one).
fn labelled_options(v: &Value) -> (Vec<String>, Vec<String>) {
    let pairs = v
        .get("options")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| Some((o.get("label").and_then(Value::as_str)?.to_owned(), string_or_number(o.get("id"))?)));
    pairs.unzip()
}

/// `GET /crm/v3/properties/contacts` → `results[{name,label,type,fieldType,options[{value}],modificationMetadata{readOnlyValue}}]`.
/// HubSpot requires no property to create a contact; upserts go by email.
fn hubspot(answer: &Value) -> Option<Vec<Field>> {
    let results = answer.get("results")?.as_array()?;
    Some(
        results
            .iter()
            .filter(|p| p.pointer("/modificationMetadata/readOnlyValue").and_then(Value::as_bool) != Some(true))
            .filter_map(|p| {
                let name = text(p, "name")?;
                let kind = match (p.get("type").and_then(Value::as_str), p.get("fieldType").and_then(Value::as_str)) {
                    (_, Some("phonenumber")) => FieldKind::Phone,
                    _ if name == "email" => FieldKind::Email,
                    (Some("number"), _) => FieldKind::Number,
                    (Some("date" | "datetime"), _) => FieldKind::Date,
                    (Some("enumeration"), Some("booleancheckbox")) => FieldKind::Bool,
                    (Some("enumeration"), _) => FieldKind::Choice,
                    (Some("bool"), _) => FieldKind::Bool,
                    _ => FieldKind::Text,
                };
                let label = text(p, "label").unwrap_or_else(|| name.clone());
                let options = if kind == FieldKind::Choice { options(p, "options", "value") } else { Vec::new() };
                Some(Field { name, label, kind, required: false, options, option_values: Vec::new(), multiple: false })
            })
            .collect(),
    )
}

/// `GET …/sobjects/Lead/describe` → `fields[{name,label,type,nillable,createable,defaultedOnCreate,picklistValues[{value}]}]`.
/// A field Custodian cannot write (not createable) is left out; one that is not nillable and has no
/// default on create is required (a Lead's LastName and Company).
fn salesforce(answer: &Value) -> Option<Vec<Field>> {
    let fields = answer.get("fields")?.as_array()?;
    Some(
        fields
            .iter()
            .filter(|f| f.get("createable").and_then(Value::as_bool) == Some(true))
            .filter_map(|f| {
                let name = text(f, "name")?;
                let kind = match f.get("type").and_then(Value::as_str) {
                    Some("email") => FieldKind::Email,
                    Some("phone") => FieldKind::Phone,
                    Some("double" | "int" | "currency" | "percent") => FieldKind::Number,
                    Some("date" | "datetime") => FieldKind::Date,
                    Some("picklist") => FieldKind::Choice,
                    Some("boolean") => FieldKind::Bool,
                    _ => FieldKind::Text,
                };
                let required = f.get("nillable").and_then(Value::as_bool) == Some(false)
                    && f.get("defaultedOnCreate").and_then(Value::as_bool) != Some(true)
                    && kind != FieldKind::Bool;
                let label = text(f, "label").unwrap_or_else(|| name.clone());
                let options =
                    if kind == FieldKind::Choice { options(f, "picklistValues", "value") } else { Vec::new() };
                Some(Field { name, label, kind, required, options, option_values: Vec::new(), multiple: false })
            })
            .collect(),
    )
}

/// `GET /api/v1/personFields` → `data[{key,name,field_type,mandatory_flag,options[{id,label}]}]`;
/// custom fields are keyed by a 40-character hash. A person needs a name.
fn pipedrive(answer: &Value) -> Option<Vec<Field>> {
    let data = answer.get("data")?.as_array()?;
    Some(
        data.iter()
            .filter_map(|f| {
                let name = text(f, "key")?;
                let kind = match f.get("field_type").and_then(Value::as_str) {
                    Some("phone") => FieldKind::Phone,
                    Some("double" | "int" | "monetary") => FieldKind::Number,
                    Some("date") => FieldKind::Date,
                    Some("enum" | "set") => FieldKind::Choice,
                    _ if name == "email" => FieldKind::Email,
                    _ => FieldKind::Text,
                };
                let required = name == "name" || f.get("mandatory_flag").and_then(Value::as_bool) == Some(true);
                let label = text(f, "name").unwrap_or_else(|| name.clone());
                // A person holds an option's id; the option is listed by its label.
                let (options, option_values) =
                    if kind == FieldKind::Choice { labelled_options(f) } else { (Vec::new(), Vec::new()) };
                let multiple = f.get("field_type").and_then(Value::as_str) == Some("set");
                Some(Field { name, label, kind, required, options, option_values, multiple })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn salesforce_requires_what_a_lead_cannot_be_created_without_and_leaves_out_what_it_cannot_write() {
        let describe = json!({"fields": [
            {"name": "Id", "label": "Lead ID", "type": "id", "nillable": false, "createable": false},
            {"name": "LastName", "label": "Last Name", "type": "string", "nillable": false, "createable": true},
            {"name": "Company", "label": "Company", "type": "string", "nillable": false, "createable": true},
            {"name": "Status", "label": "Status", "type": "picklist", "nillable": false, "createable": true,
                "defaultedOnCreate": true, "picklistValues": [{"value": "Open"}, {"value": "Working"}]},
            {"name": "Email", "label": "Email", "type": "email", "nillable": true, "createable": true},
            {"name": "HasOptedOutOfEmail", "type": "boolean", "nillable": false, "createable": true},
        ]});
        let schema = Schema::read(Crm::Salesforce, &describe).unwrap();
        let required: Vec<&str> = schema.fields.iter().filter(|f| f.required).map(|f| f.name.as_str()).collect();
        assert_eq!(required, ["LastName", "Company"]);
        assert!(schema.field("Id").is_none(), "not createable");
        assert_eq!(schema.field("Status").unwrap().options, ["Open", "Working"]);
        assert_eq!(schema.field("Email").unwrap().kind, FieldKind::Email);
    }

    #[test]
    fn hubspot_and_pipedrive_fields_are_read_with_their_kinds_and_choices() {
        let hubspot = json!({"results": [
            {"name": "email", "label": "Email", "type": "string", "fieldType": "text"},
            {"name": "phone", "label": "Phone number", "type": "string", "fieldType": "phonenumber"},
            {"name": "budget", "label": "Budget", "type": "enumeration", "fieldType": "select",
                "options": [{"value": "low"}, {"value": "high"}]},
            {"name": "hs_object_id", "type": "number", "modificationMetadata": {"readOnlyValue": true}},
        ]});
        let schema = Schema::read(Crm::HubSpot, &hubspot).unwrap();
        let kinds: Vec<(&str, FieldKind)> = schema.fields.iter().map(|f| (f.name.as_str(), f.kind)).collect();
        assert_eq!(kinds, [("email", FieldKind::Email), ("phone", FieldKind::Phone), ("budget", FieldKind::Choice)]);
        let pipedrive = json!({"data": [
            {"key": "name", "name": "Name", "field_type": "varchar"},
            {"key": "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0", "name": "Budget", "field_type": "enum",
                "options": [{"id": 1, "label": "Low"}]},
        ]});
        let schema = Schema::read(Crm::Pipedrive, &pipedrive).unwrap();
        assert!(schema.field("name").unwrap().required);
        let budget = schema.field("a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0").unwrap();
        assert_eq!(
            (budget.options.clone(), budget.option_values.clone()),
            (vec!["Low".to_owned()], vec!["1".to_owned()])
        );
        assert_eq!((budget.label_of("1"), budget.label_of("7")), ("Low", "7"));
        assert_eq!(
            (budget.value_of("Low"), budget.value_of("1"), budget.value_of("High")),
            (Some("1"), Some("1"), None)
        );
        assert!(!budget.multiple);
        // A label is taken before an id that reads the same.
        let numbered = json!({"data": [{"key": "k", "name": "Stage", "field_type": "enum",
            "options": [{"id": 1, "label": "2"}, {"id": 2, "label": "Won"}]},
            {"key": "tags", "name": "Tags", "field_type": "set", "options": [{"id": 5, "label": "A"}]}]});
        let schema = Schema::read(Crm::Pipedrive, &numbered).unwrap();
        assert_eq!(schema.field("k").unwrap().value_of("2"), Some("1"));
        assert!(schema.field("tags").unwrap().multiple);
        assert!(Schema::read(Crm::HubSpot, &json!({"message": "no"})).is_none());
    }
}
