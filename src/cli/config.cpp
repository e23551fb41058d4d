#include "cli/config.hpp"

#include <sstream>

#include "source/dimse/dimse_url.hpp"
#include "util/error.hpp"
#include "util/redact.hpp"

namespace dicomlake::cli {

namespace {

bool plain_http(const std::string& url) { return url.rfind("http://", 0) == 0; }

// 127.0.0.0/8, ::1 and localhost: traffic that never leaves this machine.
bool loopback_host(const std::string& url) {
    std::string authority = url.substr(url.find("://") + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    std::string host;
    if (!authority.empty() && authority[0] == '[')
        host = authority.substr(1, authority.find(']') - 1);
    else
        host = authority.substr(0, authority.find(':'));
    for (auto& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

bool sends_credentials(const Config& c) { return !c.pacs_user.empty() || !c.pacs_token.empty(); }

void check_insecure_auth(const Config& c, const Settings& s) {
    if (!plain_http(c.pacs_url) || !sends_credentials(c) || loopback_host(c.pacs_url) || c.pacs_allow_insecure_auth)
        return;
    throw ConfigError("pacs-url (from " + s.get("pacs-url").where + ") is plain http:// to another machine, and " +
                      (c.pacs_token.empty() ? "pacs-user/password" : "pacs-token") +
                      " would cross the network readable by anyone on the path: use https://, or set "
                      "pacs-allow-insecure-auth = true (DICOMLAKE_PACS_ALLOW_INSECURE_AUTH) if the network is "
                      "trusted");
}

// A mail address as a person would write it: local@domain, or `Name <local@domain>`. Enough to
// catch a typo or a list put where one address goes; the server has the last word.
bool looks_like_address(const std::string& entry) {
    if (entry.empty() || entry.find_first_of("\r\n") != std::string::npos) return false;
    std::string address = entry;
    const size_t open = entry.find('<');
    if (open != std::string::npos) {
        if (entry.back() != '>' || entry.find('<', open + 1) != std::string::npos) return false;
        address = entry.substr(open + 1, entry.size() - open - 2);
    }
    const size_t at = address.find('@');
    if (at == 0 || at == std::string::npos || at + 1 >= address.size() || address.find('@', at + 1) != std::string::npos)
        return false;
    for (unsigned char ch : address)
        if (ch <= 0x20 || ch >= 0x7f || std::string("<>(),;:\\\"[]").find(static_cast<char>(ch)) != std::string::npos)
            return false;
    return true;
}

void read_mail(Config& c, const Settings& s) {
    c.report_out_dir = s.str("report-out-dir");
    c.report_smtp_url = s.str("report-smtp-url");
    c.report_smtp_user = s.str("report-smtp-user");
    c.report_smtp_password = s.str("report-smtp-password");
    c.report_smtp_ca_file = s.str("report-smtp-ca-file");
    c.report_smtp_verify_tls = s.boolean("report-smtp-verify-tls");
    c.report_from = s.str("report-from");
    c.report_subject = s.str("report-subject");
    const std::string& tls = s.str("report-smtp-tls");
    if (tls != "required" && tls != "optional")
        throw ConfigError("report-smtp-tls must be required or optional (check the value from " +
                          s.get("report-smtp-tls").where + ")");
    c.report_smtp_require_tls = tls == "required";
    const std::string& url = c.report_smtp_url;
    if (!url.empty() && url.rfind("smtp://", 0) != 0 && url.rfind("smtps://", 0) != 0)
        throw ConfigError("report-smtp-url must start with smtp:// or smtps:// (check the value from " +
                          s.get("report-smtp-url").where + ")");
    if (!c.report_from.empty() && !looks_like_address(c.report_from))
        throw ConfigError("report-from (from " + s.get("report-from").where +
                          ") is not a mail address: write it as name@domain or `Name <name@domain>`");
    deid::for_each_list_entry(s.str("report-to"), ',', [&](const std::string& entry, size_t position) {
        if (!looks_like_address(entry))
            throw ConfigError("report-to (from " + s.get("report-to").where + "), entry " + std::to_string(position) +
                              ", is not a mail address: list addresses as name@domain, separated by commas");
        c.report_to.push_back(entry);
    });
    if (c.report_subject.find_first_of("\r\n") != std::string::npos)
        throw ConfigError("report-subject (from " + s.get("report-subject").where + ") must be one line");
}

// The DIMSE settings (used only with a dicom:// pacs-url, checked whatever the URL).
void read_dimse(Config& c, const Settings& s) {
    c.pacs_calling_aet = s.str("pacs-calling-aet");
    c.pacs_move_destination = s.str("pacs-move-destination");
    for (const char* name : {"pacs-calling-aet", "pacs-move-destination"}) {
        const std::string& aet = s.str(name);
        bool ok = aet.size() <= 16 && (!aet.empty() || std::string(name) != "pacs-calling-aet");
        for (char ch : aet)
            if (ch < 0x20 || ch > 0x7e || ch == '\\') ok = false;
        if (ok && !aet.empty() && aet.find_first_not_of(' ') == std::string::npos) ok = false;
        if (!ok)
            throw ConfigError(std::string(name) + " (from " + s.get(name).where +
                              ") must be an AE title: 1 to 16 printable ASCII characters, no backslash");
    }
    const std::string& retrieve = s.str("pacs-retrieve");
    if (retrieve != "get" && retrieve != "move")
        throw ConfigError("pacs-retrieve must be get or move (check the value from " + s.get("pacs-retrieve").where +
                          ")");
    c.pacs_retrieve_move = retrieve == "move";
    c.pacs_store_port = static_cast<int>(s.integer("pacs-store-port", 0, 65535));
    c.pacs_find_cap = s.integer("pacs-find-cap", 0, 100000000);
    c.pacs_instances_per_series = s.integer("pacs-instances-per-series", 0, 100000000);
    if (c.pacs_retrieve_move && c.pacs_store_port == 0 && c.pacs_url.rfind("dicom://", 0) == 0)
        throw ConfigError("pacs-retrieve is move but pacs-store-port is not set: C-MOVE needs the port of the "
                          "storage SCP dicomlake runs, the one the PACS's entry for pacs-move-destination names");
}

}  // namespace

Config build_config(const Settings& s) {
    Config c;
    c.pacs_url = s.str("pacs-url");
    c.pacs_user = s.str("pacs-user");
    c.pacs_password = s.str("pacs-password");
    c.pacs_name = s.str("pacs-name");
    c.pacs_ca_file = s.str("pacs-ca-file");
    c.pacs_token = s.str("pacs-token");
    c.pacs_client_cert = s.str("pacs-client-cert");
    c.pacs_client_key = s.str("pacs-client-key");
    if (!c.pacs_token.empty() && !c.pacs_user.empty())
        throw ConfigError("both pacs-user (from " + s.get("pacs-user").where + ") and a pacs-token (from " +
                          s.get("pacs-token").where + ") are set: the PACS takes one kind of credentials, keep one");
    if (c.pacs_client_key.empty() != c.pacs_client_cert.empty())
        throw ConfigError("pacs-client-cert and pacs-client-key go together: set both, or neither");
    c.pacs_concurrency = static_cast<int>(s.integer("pacs-concurrency", 1, 64));
    c.pacs_page_size = s.integer("pacs-page-size", 1, 10000);
    c.pacs_series_threshold = s.integer("pacs-series-threshold", 0, 100000000);
    c.pacs_max_rps = s.number("pacs-max-rps", 0, 10000);
    c.pacs_timeout_s = s.integer("pacs-timeout", 1, 3600);
    c.pacs_connect_timeout_s = s.integer("pacs-connect-timeout", 1, 300);
    c.pacs_retries = static_cast<int>(s.integer("pacs-retries", 0, 10));
    c.pacs_breaker_threshold = static_cast<int>(s.integer("pacs-breaker-threshold", 1, 1000));
    c.pacs_breaker_pause_s = s.number("pacs-breaker-pause", 0.1, 3600);
    c.pacs_verify_tls = s.boolean("pacs-verify-tls");
    c.pacs_allow_insecure_auth = s.boolean("pacs-allow-insecure-auth");
    read_dimse(c, s);
    if (!c.pacs_client_key.empty()) require_private_file(c.pacs_client_key, "the PACS client key (pacs-client-key)");
    c.modalities = s.str("modalities");
    c.study_description = s.str("study-description");
    c.db_url = s.str("db-url");
    c.batch_studies = static_cast<int>(s.integer("batch-studies", 1, 1000));
    c.key = s.str("key");
    c.key_version = static_cast<int>(s.integer("key-version", 1, 1000000));
    {
        std::istringstream lines(s.str("previous-keys"));
        std::string line;
        int n = 0;
        while (std::getline(lines, line)) {
            ++n;
            std::istringstream fields(line);
            std::string version, key, extra;
            if (!(fields >> version) || version[0] == '#') continue;
            fields >> key >> extra;
            int v = 0;
            try {
                v = std::stoi(version);
            } catch (...) {
            }
            if (v < 1 || key.size() < 32 || !extra.empty())
                throw ConfigError("previous-keys (from " + s.get("previous-keys").where + "), line " +
                                  std::to_string(n) + ": expected `VERSION KEY` with a version >= 1 and a key of " +
                                  "at least 32 characters");
            if (v == c.key_version)
                throw ConfigError("previous-keys (from " + s.get("previous-keys").where + "), line " +
                                  std::to_string(n) + ": its version is the current key-version (" +
                                  std::to_string(c.key_version) + "): give the previous keys their own versions");
            c.previous_keys.emplace_back(v, key);
        }
    }
    c.deid_options = deid::ProfileOptions::parse(s.str("deid-options"));
    c.safe_private = deid::parse_safe_private(s.str("safe-private"));
    c.keep_text = deid::parse_keep_text(s.str("keep-text"));
    if (!c.safe_private.empty() && !c.deid_options.has(deid::ProfileOption::retain_safe_private))
        throw ConfigError("safe-private lists attributes but deid-options lacks retain-safe-private (from " +
                          s.get("deid-options").where + "): add it, or empty the list");
    c.max_response_mb = s.integer("max-response-mb", 1, 16384);
    c.max_depth = static_cast<int>(s.integer("max-depth", 1, 1000));
    c.max_attributes = s.integer("max-attributes", 1000, 100000000);
    c.overlap_days = static_cast<int>(s.integer("overlap-days", 0, 30));
    c.max_attempts = static_cast<int>(s.integer("max-attempts", 1, 100));
    c.log_level = s.str("log-level");
    c.log_format = s.str("log-format");
    if (c.log_format != "text" && c.log_format != "json")
        throw ConfigError("log-format must be text or json (check the value from " + s.get("log-format").where +
                          ")");
    if (c.log_level != "trace" && c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" &&
        c.log_level != "error")
        throw ConfigError("log-level must be one of trace, debug, info, warn, error (check the value from " +
                          s.get("log-level").where + ")");
    const bool dimse = c.pacs_url.rfind("dicom://", 0) == 0;
    if (!c.pacs_url.empty() && !dimse && c.pacs_url.rfind("http://", 0) != 0 &&
        c.pacs_url.rfind("https://", 0) != 0)
        throw ConfigError("pacs-url must start with http:// or https:// (a DICOMweb root) or dicom:// (a DIMSE "
                          "PACS: dicom://CALLED_AET@host:port) (check the value from " +
                          s.get("pacs-url").where + ")");
    if (dimse) {
        try {
            source::dimse::parse_dimse_url(c.pacs_url);
        } catch (const ConfigError& e) {
            throw ConfigError(std::string(e.what()) + " (check the value from " + s.get("pacs-url").where + ")");
        }
    }
    if (!c.pacs_url.empty() && !dimse) check_insecure_auth(c, s);
    read_mail(c, s);
    if (!c.key.empty() && c.key.size() < 32)
        throw ConfigError("the pseudonymization key (from " + s.get("key").where +
                          ") is shorter than 32 characters: generate one with `dicomlake keygen`");
    return c;
}

std::string insecure_auth_warning(const Config& c) {
    if (!plain_http(c.pacs_url) || !sends_credentials(c)) return {};
    return std::string("PACS credentials (") + (c.pacs_token.empty() ? "pacs-user/password" : "pacs-token") +
           ") are sent over plain http:// (pacs-url): " +
           (loopback_host(c.pacs_url) ? "acceptable only because the PACS is on this machine; "
                                      : "anyone on the network path can read it (pacs-allow-insecure-auth is on); ") +
           "use https:// for a PACS elsewhere";
}

void register_secrets(const Config& c) {
    for (const auto* secret : {&c.pacs_password, &c.pacs_token, &c.key, &c.report_smtp_password})
        register_secret(*secret);
    for (const auto& [version, key] : c.previous_keys) register_secret(key);
}

void require_pacs(const Config& c) {
    if (c.pacs_url.empty())
        throw ConfigError("no PACS: set DICOMLAKE_PACS_URL, [pacs] url in the configuration file, or --pacs-url "
                          "to the DICOMweb root, e.g. http://pacs:8042/dicom-web, or dicom://CALLED_AET@host:port "
                          "for a DIMSE PACS");
}

void require_database(const Config& c) {
    if (c.db_url.empty())
        throw ConfigError("no warehouse: set DICOMLAKE_DB_URL, [database] url in the configuration file, or "
                          "--db-url to a libpq URI, e.g. postgresql://dicomlake@dbhost/dicomlake");
}

void require_key(const Config& c) {
    if (c.key.empty())
        throw ConfigError("no pseudonymization key: create one with `dicomlake keygen > /etc/dicomlake/key && chmod "
                          "600 /etc/dicomlake/key`, then set DICOMLAKE_KEY_FILE=/etc/dicomlake/key (or "
                          "[anonymization] key_file). Keep it safe: the same key gives the same pseudonyms");
}

void require_mail(const Config& c) {
    const char* missing = c.report_smtp_url.empty() ? "report-smtp-url (DICOMLAKE_REPORT_SMTP_URL, [report] smtp_url), "
                                                      "e.g. smtp://mail.hospital.example:587"
                          : c.report_from.empty() ? "report-from (DICOMLAKE_REPORT_FROM, [report] from), the sender address"
                          : c.report_to.empty()   ? "report-to (DICOMLAKE_REPORT_TO, [report] to), the recipients, "
                                                    "comma-separated"
                                                  : nullptr;
    if (missing != nullptr) throw ConfigError(std::string("--mail needs a mail setting that is not set: ") + missing);
}

}  // namespace dicomlake::cli
