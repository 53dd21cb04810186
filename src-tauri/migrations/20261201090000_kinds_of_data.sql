-- Retention policies exist only for kinds of data Custodian holds: conversion events have none yet,
-- and their kind brings its own default when it comes.
DELETE FROM retention_policies WHERE kind = 'conversion_events';
