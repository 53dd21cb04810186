-- What an access request's answer says about the processing (GDPR Art. 15(1)): the agency edits
-- these once per workspace; every export's summary page quotes them.
CREATE TABLE processing_info (
    key    TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
) STRICT;
INSERT INTO processing_info (key, value) VALUES
    ('controller', 'The advertiser named in each record, with its agency as processor. Set the contact details with: custodian settings set controller TEXT'),
    ('purposes', 'Answering your enquiry through the advertiser''s lead form and following it up.'),
    ('categories', 'Contact details (name, email, phone) and the answers you gave in the lead form.'),
    ('recipients', 'The advertiser''s customer-relationship system, where the lead was sent to it.'),
    ('retention', 'Kept while the enquiry is followed up, then deleted on the schedule the advertiser set.'),
    ('source', 'You, through a Facebook or Instagram lead form (Meta Platforms Ireland Ltd).'),
    ('rights', 'You may ask for a copy of your data, its correction or erasure, restriction of its use, or object to it, and complain to your data protection authority.');
