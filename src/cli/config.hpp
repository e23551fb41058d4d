// The typed, validated settings the commands use, built from the resolved Settings.
#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "deid/policy.hpp"
#include "deid/profile.hpp"

namespace dicomlake::cli {

struct Config {
    std::string pacs_url, pacs_user, pacs_password, pacs_ca_file;
    std::string pacs_name;  // what rows record as their source ("" until resolved: source_name())
    std::string pacs_token, pacs_client_cert, pacs_client_key;
    int pacs_concurrency = 4;
    double pacs_max_rps = 0;
    long pacs_page_size = 100;
    long pacs_series_threshold = 2000;
    long pacs_timeout_s = 120, pacs_connect_timeout_s = 10;
    int pacs_retries = 3;
    int pacs_breaker_threshold = 10;
    double pacs_breaker_pause_s = 30;
    bool pacs_verify_tls = true;
    bool pacs_allow_insecure_auth = false;  // credentials over plain http to another machine
    // DIMSE (dicom:// pacs_url)
    std::string pacs_calling_aet = "DICOMLAKE";
    bool pacs_retrieve_move = false;  // pacs.retrieve = move (C-MOVE); else C-GET
    std::string pacs_move_destination;  // empty: pacs_calling_aet
    int pacs_store_port = 0;
    long pacs_find_cap = 0;
    long pacs_instances_per_series = 0;
    std::string modalities, study_description;  // QIDO-RS listing filters
    std::string db_url;
    int batch_studies = 25;
    std::string key;
    int key_version = 1;
    deid::ProfileOptions deid_options = deid::ProfileOptions::defaults();
    std::vector<deid::SafePrivate> safe_private;
    std::vector<model::TagKey> keep_text = deid::RuleTable::default_keep_text();  // unlisted free text kept
    std::vector<std::pair<int, std::string>> previous_keys;  // (version, key), from the keyring
    long max_response_mb = 512;  // limits: bounds on what a PACS may send
    int max_depth = 64;
    long max_attributes = 250000;
    int overlap_days = 1;
    int max_attempts = 5;
    std::string log_level = "info";
    std::string log_format = "text";
    std::string report_out_dir;  // run --report: one folder per day under it; empty: mail only
    // The report's mail delivery (report --mail); empty until configured, see require_mail.
    std::string report_smtp_url, report_smtp_user, report_smtp_password, report_smtp_ca_file;
    bool report_smtp_require_tls = true;  // smtp://: STARTTLS or nothing
    bool report_smtp_verify_tls = true;
    std::string report_from;              // "addr@host" or "Name <addr@host>"
    std::vector<std::string> report_to;
    std::string report_subject = "dicomlake report {date}";
};

// Validates ranges and formats. Missing PACS/database/key settings are only an error for the
// commands that need them: see require_*.
Config build_config(const Settings& settings);

// Credentials (pacs-user/password or pacs-token) sent over plain http://: the warning to log,
// or empty when none is needed. build_config has already refused the case that is not allowed.
std::string insecure_auth_warning(const Config& c);

// Makes every secret of `c` (PACS password and token, keys) known to redact(), so no message or
// log line shows one even where a library quotes it.
void register_secrets(const Config& c);

void require_pacs(const Config& c);
void require_database(const Config& c);
void require_key(const Config& c);
// The mail server, sender and recipients, for `report --mail`: the error names what is missing.
void require_mail(const Config& c);

}  // namespace dicomlake::cli
