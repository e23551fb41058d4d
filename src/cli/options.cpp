#include "cli/options.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "cli/config_file.hpp"
#include "deid/profile.hpp"
#include "util/error.hpp"
#include "util/redact.hpp"

namespace dicomlake::cli {

namespace {

constexpr const char* kDefaultConfig = "/etc/dicomlake/dicomlake.toml";

// clang-format off
const std::vector<OptionSpec> kOptions = {
    {"pacs-url", "pacs.url", nullptr, "URL", "PACS",
     "DICOMweb root of the PACS (QIDO-RS and WADO-RS live below it), e.g. https://pacs:8042/dicom-web, or a "
     "DIMSE PACS as dicom://CALLED_AET@host:port (docs/dimse.md); "
     "credentials in it (user:password@) are refused: use pacs-user and pacs-password-file",
     Sensitivity::url_userinfo},
    {"pacs-name", "pacs.name", "", "NAME", "PACS",
     "the name study rows, runs, status and the report give this PACS (empty: derived from pacs-url, without "
     "credentials, e.g. dicomweb:pacs:8042/dicom-web); set it when one warehouse holds several PACS"},
    {"pacs-calling-aet", "pacs.calling_aet", "DICOMLAKE", "AET", "PACS",
     "DIMSE (dicom:// pacs-url): dicomlake's own AE title, which the PACS must know (1-16 characters)"},
    {"pacs-retrieve", "pacs.retrieve", "get", "MODE", "PACS",
     "DIMSE: how instances are retrieved: `get` (C-GET, objects come back on dicomlake's association) or "
     "`move` (C-MOVE to pacs-move-destination, received by a storage SCP dicomlake runs on pacs-store-port)"},
    {"pacs-move-destination", "pacs.move_destination", "", "AET", "PACS",
     "DIMSE, pacs-retrieve=move: the AE title the PACS sends to (its entry for dicomlake's storage SCP); "
     "empty: pacs-calling-aet"},
    {"pacs-store-port", "pacs.store_port", "0", "PORT", "PACS",
     "DIMSE, pacs-retrieve=move: the TCP port of dicomlake's storage SCP, open for the run's duration; the "
     "PACS's entry for pacs-move-destination must point at this host and port"},
    {"pacs-find-cap", "pacs.find_cap", "0", "N", "PACS",
     "DIMSE: the PACS's cap on C-FIND results (0: none known); a study query returning this many or more is "
     "split (by day, then by StudyTime halves) until each answer is under the cap"},
    {"pacs-instances-per-series", "pacs.instances_per_series", "0", "N", "PACS",
     "DIMSE: fetch only the first N instances of each image series (by InstanceNumber), recording the series' "
     "size on the PACS; dose reports and other non-image series are always whole (0: every instance)"},
    {"pacs-user", "pacs.user", "", "NAME", "PACS", "user for HTTP basic authentication (empty: none)"},
    {"pacs-password", "pacs.password", "", "SECRET", "PACS",
     "password for HTTP basic authentication; environment or file only (or the -file variant)",
     Sensitivity::secret},
    {"pacs-concurrency", "pacs.concurrency", "4", "N", "PACS",
     "requests in flight to the PACS at once, listing included; the PACS, not dicomlake, should be the limit (1-64)"},
    {"pacs-max-rps", "pacs.max_rps", "0", "N", "PACS",
     "at most this many requests per second to the PACS, retries included (0: no limit); with "
     "pacs-concurrency, what keeps a busy PACS safe during a long backfill"},
    {"pacs-page-size", "pacs.page_size", "100", "N", "PACS",
     "QIDO-RS `limit` per page; pages are read until an empty one (1-10000)"},
    {"pacs-series-threshold", "pacs.series_threshold", "2000", "N", "PACS",
     "studies with more instances than this are fetched series by series, so memory follows the "
     "largest series, not the largest study (0: always whole studies)"},
    {"pacs-timeout", "pacs.timeout", "120", "SECONDS", "PACS", "total time allowed for one request (1-3600)"},
    {"pacs-connect-timeout", "pacs.connect_timeout", "10", "SECONDS", "PACS",
     "time allowed to connect to the PACS (1-300)"},
    {"pacs-retries", "pacs.retries", "3", "N", "PACS",
     "retries of a request after 408, 429, 5xx or a connection error, with exponential backoff (0-10)"},
    {"pacs-token", "pacs.token", "", "SECRET", "PACS",
     "bearer token for the PACS (instead of user/password), usually from a file read at every run "
     "(pacs-token-file, DICOMLAKE_PACS_TOKEN_FILE) so a refreshed token is picked up",
     Sensitivity::secret},
    {"pacs-client-cert", "pacs.client_cert", "", "PATH", "PACS",
     "client certificate (PEM) for PACS that authenticate clients by TLS certificate"},
    {"pacs-client-key", "pacs.client_key", "", "PATH", "PACS",
     "private key (PEM) of the client certificate; the file must not be readable by group or others"},
    {"pacs-breaker-threshold", "pacs.breaker_threshold", "10", "N", "PACS",
     "after this many failed requests in a row, every request pauses before trying the PACS again (1-1000)"},
    {"pacs-breaker-pause", "pacs.breaker_pause", "30", "SECONDS", "PACS",
     "first pause of the circuit breaker, doubling up to 10 minutes; 6 pauses without a success end the run"},
    {"pacs-verify-tls", "pacs.verify_tls", "true", "BOOL", "PACS",
     "verify the PACS certificate (https); turn off only for testing"},
    {"pacs-ca-file", "pacs.ca_file", "", "PATH", "PACS", "CA bundle for the PACS certificate (empty: system store)"},
    {"pacs-allow-insecure-auth", "pacs.allow_insecure_auth", "false", "BOOL", "PACS",
     "allow sending pacs-user/password or pacs-token over plain http:// to a host other than this machine "
     "(anyone on the network path can read them); without it such a configuration is refused. Over http "
     "to 127.0.0.1, ::1 or localhost credentials are sent with a warning"},
    {"modalities", "query.modalities", "", "LIST", "Query",
     "only studies with one of these modalities, comma-separated (QIDO-RS ModalitiesInStudy), e.g. MR,CT"},
    {"study-description", "query.study_description", "", "PATTERN", "Query",
     "only studies whose StudyDescription matches this pattern (* and ? wildcards), e.g. *SPINE*"},
    {"db-url", "database.url", nullptr, "URI", "Warehouse",
     "libpq URI of the PostgreSQL warehouse, e.g. postgresql://dicomlake@dbhost/dicomlake; a password in it "
     "is refused: keep it in ~/.pgpass or the file named by PGPASSFILE (mode 600)",
     Sensitivity::url_password},
    {"batch-studies", "database.batch_studies", "25", "N", "Warehouse",
     "studies loaded per transaction (1-1000)"},
    {"key", "anonymization.key", nullptr, "SECRET", "Anonymization",
     "secret pseudonymization key (at least 32 characters); environment or file only, or key-file. "
     "Create one with `dicomlake keygen`; losing it changes every pseudonym", Sensitivity::secret},
    {"key-version", "anonymization.key_version", "1", "N", "Anonymization",
     "version number of the key, recorded on every row; raise it when the key is rotated"},
    {"previous-keys", "anonymization.previous_keys", "", "SECRET", "Anonymization",
     "older pseudonymization keys still in the keyring, one `VERSION KEY` per line (usually via the -file "
     "variant): `reanonymize` finds and replaces rows made with them",
     Sensitivity::secret},
    {"deid-options", "anonymization.options",
     "retain-device-identity,retain-patient-characteristics,retain-long-modified-dates,clean-descriptors,"
     "clean-structured-content",
     "LIST", "Anonymization",
     "PS3.15 Basic Profile options, comma-separated: retain-safe-private, retain-uids, retain-device-identity, "
     "retain-institution-identity, retain-patient-characteristics, retain-long-full-dates, "
     "retain-long-modified-dates, clean-descriptors, clean-structured-content, clean-graphics"},
    {"safe-private", "anonymization.safe_private", "", "LIST", "Anonymization",
     "private attributes kept under retain-safe-private, as CREATOR/gggg,ee separated by ';' "
     "(e.g. SIEMENS MR HEADER/0019,0C); all others are removed"},
    {"keep-text", "anonymization.keep_text", deid::kDefaultKeepText, "LIST", "Anonymization",
     "public attributes that Table E.1-1 does not list whose free text (LO, SH, ST, LT, UT, UC, UR, AE) is "
     "kept as sent, by keyword or 8-digit tag, comma-separated (person names on it are cleaned); every "
     "other such attribute, and every public tag the DICOM dictionary does not know, is removed"},
    {"overlap-days", "run.overlap_days", "1", "DAYS", "Nightly run",
     "`run` starts this many days before the end of the last run's window, to catch late arrivals (0-30)"},
    {"max-attempts", "run.max_attempts", "5", "N", "Nightly run",
     "a failed study is retried by later runs until it has failed this many times (1-100)"},
    {"max-response-mb", "limits.max_response_mb", "512", "MB", "Limits",
     "largest PACS answer accepted, as received and after decompression; a larger one fails its study "
     "(1-16384)"},
    {"max-depth", "limits.max_depth", "64", "N", "Limits",
     "deepest sequence nesting accepted in metadata; deeper fails the study (1-1000)"},
    {"max-attributes", "limits.max_attributes", "250000", "N", "Limits",
     "most attributes accepted in one instance's metadata; more fails the study (1000-100000000)"},
    {"report-out-dir", "report.out_dir", "", "DIR", "Report",
     "where `run --report` writes each night's report, one folder per reported day (DIR/YYYY-MM-DD); empty: "
     "mail only"},
    {"report-smtp-url", "report.smtp_url", "", "URL", "Report",
     "mail server for `report --mail`: smtp://host:587 (STARTTLS, see report-smtp-tls) or smtps://host:465; "
     "credentials in it are refused: use report-smtp-user and report-smtp-password-file",
     Sensitivity::url_userinfo},
    {"report-smtp-user", "report.smtp_user", "", "NAME", "Report", "user for SMTP AUTH (empty: no login)"},
    {"report-smtp-password", "report.smtp_password", "", "SECRET", "Report",
     "password for SMTP AUTH; environment or file only (or the -file variant)", Sensitivity::secret},
    {"report-smtp-tls", "report.smtp_tls", "required", "MODE", "Report",
     "smtp://: `required` refuses to send unless the server accepts STARTTLS; `optional` uses it when offered "
     "and otherwise sends in clear text (login and report readable on the network path)"},
    {"report-smtp-ca-file", "report.smtp_ca_file", "", "PATH", "Report",
     "CA bundle for the mail server's certificate (empty: system store)"},
    {"report-smtp-verify-tls", "report.smtp_verify_tls", "true", "BOOL", "Report",
     "verify the mail server's certificate; turn off only for testing"},
    {"report-from", "report.from", "", "ADDRESS", "Report",
     "sender of the report mail, e.g. dicomlake@hospital.example or `dicomlake <dicomlake@hospital.example>`"},
    {"report-to", "report.to", "", "LIST", "Report", "recipients of the report mail, comma-separated addresses"},
    {"report-subject", "report.subject", "dicomlake report {date}", "TEXT", "Report",
     "subject of the report mail; {date} becomes the reported day (YYYY-MM-DD)"},
    {"log-level", "log.level", "info", "LEVEL", "Logging", "trace, debug, info, warn or error"},
    {"log-format", "log.format", "text", "FORMAT", "Logging",
     "text (for people and the journal) or json (one object per line, for log shippers)"},
};
// clang-format on

std::string upper_snake(const std::string& s) {
    std::string out = "DICOMLAKE_";
    for (char c : s) out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// Where the credentials of a URL setting go instead: its sibling settings, named like it
// (pacs-url -> pacs-user, pacs-password; report-smtp-url -> report-smtp-user, ...).
std::string credential_settings_hint(const OptionSpec& url) {
    std::string key = url.file_key, flag = url.name;
    key = key.substr(0, key.size() - 3);     // "pacs." / "report.smtp_"
    flag = flag.substr(0, flag.size() - 3);  // "pacs-" / "report-smtp-"
    std::string hint = "put the user in `" + key + "user` (" + upper_snake(flag + "user") +
                       ") and the password in a file named by `" + key + "password_file` (" +
                       upper_snake(flag + "password") + "_FILE, mode 600)";
    if (flag == "pacs-") hint += ", or use pacs-token-file for a bearer token";
    return hint;
}

// Credentials inside a URL show in `ps`, in logs and in library errors; they have settings of
// their own. Refused from every source, and the value is never echoed.
void refuse_url_credentials(const OptionSpec& o, const Setting& s) {
    const std::string which = std::string(o.name) + " (from " + s.where + ")";
    // dicom://CALLED_AET@host:port: what stands before the @ is the PACS's AE title, not a credential.
    const bool dimse_aet = s.value.rfind("dicom://", 0) == 0 && s.value.find(':', 8) > s.value.find('@');
    if (o.sensitivity == Sensitivity::url_userinfo && !dimse_aet && url_has_userinfo(s.value))
        throw ConfigError(which + " holds credentials (user@ or user:password@ before the host), which are "
                          "refused: remove them from the URL, " + credential_settings_hint(o));
    if (o.sensitivity == Sensitivity::url_password && url_has_password(s.value))
        throw ConfigError(which + " holds a password, which is refused: remove it from the URL and put it in "
                          "~/.pgpass or in the file named by PGPASSFILE (mode 600, one line "
                          "host:port:database:user:password), where libpq finds it");
}

}  // namespace

const std::vector<OptionSpec>& option_specs() { return kOptions; }

const OptionSpec* find_option(const std::string& name) {
    for (const auto& o : kOptions)
        if (name == o.name) return &o;
    return nullptr;
}

std::string env_name(const OptionSpec& spec) { return upper_snake(spec.name); }
std::string env_file_name(const OptionSpec& spec) { return env_name(spec) + "_FILE"; }
std::string flag_file_name(const OptionSpec& spec) { return std::string(spec.name) + "-file"; }
std::string file_key_file(const OptionSpec& spec) { return std::string(spec.file_key) + "_file"; }

const char* to_string(Origin o) {
    switch (o) {
        case Origin::unset: return "unset";
        case Origin::default_value: return "default";
        case Origin::file: return "file";
        case Origin::environment: return "environment";
        case Origin::flag: return "flag";
    }
    return "unset";
}

void require_private_file(const std::string& path, const std::string& what) {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
        throw ConfigError("the file holding " + what + " ('" + path +
                          "') may be read or changed by other users (its group or everyone): run `chmod 600 " +
                          path + "` (and check its owner)");
}

std::string read_secret_file(const std::string& path, const std::string& what) {
    require_private_file(path, what);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError("cannot read " + what + " from '" + path + "' (does it exist, and may this user read it?)");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
}

Settings Settings::resolve(const std::map<std::string, std::string>& flags, const std::string& config_path,
                           const Getenv& getenv) {
    Settings out;
    std::map<std::string, FileValue> file;
    if (!config_path.empty()) {
        file = read_config_file(config_path);
        out.config_file_ = config_path;
    } else {
        struct stat st {};
        if (stat(kDefaultConfig, &st) == 0) {
            file = read_config_file(kDefaultConfig);
            out.config_file_ = kDefaultConfig;
        }
    }
    // Every key in the file must be known: a typo must not silently fall back to a default.
    std::set<std::string> known;
    for (const auto& o : kOptions) {
        known.insert(o.file_key);
        if (o.sensitivity == Sensitivity::secret) known.insert(file_key_file(o));
    }
    for (const auto& [key, v] : file) {
        if (!known.count(key)) {
            std::string hint;
            for (const auto& k : known)
                if (k.substr(0, k.find('.')) == key.substr(0, key.find('.'))) hint += (hint.empty() ? "" : ", ") + k;
            throw ConfigError(out.config_file_ + ":" + std::to_string(v.line) + ": unknown setting `" + key + "`" +
                              (hint.empty() ? std::string() : " (known in this section: " + hint + ")"));
        }
    }

    for (const auto& o : kOptions) {
        Setting s;
        const std::string env = env_name(o);
        const bool secret = o.sensitivity == Sensitivity::secret;
        auto flag = flags.find(o.name);
        auto flag_file = secret ? flags.find(flag_file_name(o)) : flags.end();
        const char* env_value = getenv(env.c_str());
        const char* env_file = secret ? getenv(env_file_name(o).c_str()) : nullptr;
        if (env_value != nullptr && *env_value == '\0') env_value = nullptr;
        if (env_file != nullptr && *env_file == '\0') env_file = nullptr;

        if (flag != flags.end()) {
            if (secret)
                throw ConfigError("--" + std::string(o.name) +
                                  " is a secret and is refused on the command line (other users can read it in "
                                  "`ps`): use --" + flag_file_name(o) + " PATH, " + env + ", " + env_file_name(o) +
                                  " or `" + o.file_key + "` in the configuration file");
            s = {flag->second, Origin::flag, "--" + std::string(o.name)};
        } else if (flag_file != flags.end()) {
            s = {read_secret_file(flag_file->second, o.name), Origin::flag, "--" + flag_file_name(o)};
        } else if (env_value != nullptr || env_file != nullptr) {
            if (env_value != nullptr && env_file != nullptr)
                throw ConfigError("both " + env + " and " + env_file_name(o) + " are set: keep one");
            if (env_value != nullptr)
                s = {env_value, Origin::environment, env};
            else
                s = {read_secret_file(env_file, o.name), Origin::environment, env_file_name(o)};
        } else if (auto f = file.find(o.file_key); f != file.end()) {
            if (secret && file.count(file_key_file(o)))
                throw ConfigError(out.config_file_ + ": both `" + o.file_key + "` and `" + file_key_file(o) +
                                  "` are set: keep one");
            if (secret)
                require_private_file(out.config_file_, std::string("`") + o.file_key +
                                                           "` (or move the secret to a private file named by `" +
                                                           file_key_file(o) + "`)");
            s = {f->second.value, Origin::file, out.config_file_ + ":" + std::to_string(f->second.line)};
        } else if (auto ff = secret ? file.find(file_key_file(o)) : file.end(); ff != file.end()) {
            s = {read_secret_file(ff->second.value, o.name), Origin::file,
                 out.config_file_ + ":" + std::to_string(ff->second.line)};
        } else if (o.default_value != nullptr) {
            s = {o.default_value, Origin::default_value, "default"};
        }
        refuse_url_credentials(o, s);
        out.values_[o.name] = s;
    }
    return out;
}

const Setting& Settings::get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) throw Error(ExitCode::internal, "undeclared option '" + name + "'");
    return it->second;
}

long Settings::integer(const std::string& name, long min, long max) const {
    const Setting& s = get(name);
    try {
        size_t used = 0;
        long v = std::stol(s.value, &used);
        if (used == s.value.size() && v >= min && v <= max) return v;
    } catch (...) {
    }
    throw ConfigError(name + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                      " (check the value from " + s.where + ")");
}

double Settings::number(const std::string& name, double min, double max) const {
    const Setting& s = get(name);
    try {
        size_t used = 0;
        double v = std::stod(s.value, &used);
        if (used == s.value.size() && v >= min && v <= max) return v;
    } catch (...) {
    }
    throw ConfigError(name + " must be a number from " + std::to_string(min) + " to " + std::to_string(max) +
                      " (check the value from " + s.where + ")");
}

bool Settings::boolean(const std::string& name) const {
    const Setting& s = get(name);
    std::string v = s.value;
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "0" || v == "no" || v == "off") return false;
    throw ConfigError(name + " must be true or false (check the value from " + s.where + ")");
}

}  // namespace dicomlake::cli
