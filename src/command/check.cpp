#include <cstdio>

#include "command/command.hpp"
#include "command/extract_common.hpp"
#include "source/dicomweb/dicomweb_source.hpp"
#include "util/error.hpp"
#include "util/redact.hpp"
#include "warehouse/database.hpp"
#include "warehouse/migrations_embedded.hpp"

namespace dicomlake::command {

namespace {

std::string shown(const cli::OptionSpec& spec, const cli::Setting& s) {
    if (s.origin == cli::Origin::unset) return "(not set)";
    if (spec.sensitivity == cli::Sensitivity::secret) return s.value.empty() ? "(empty)" : "*** (set)";
    return s.value.empty() ? "\"\"" : redact(s.value);
}

}  // namespace

int check(const cli::Settings& settings, const cli::Config& config) {
    std::printf("configuration file: %s\n\n", settings.config_file().empty() ? "(none)" : settings.config_file().c_str());
    std::printf("%-22s %-40s %s\n", "setting", "value", "from");
    for (const auto& spec : cli::option_specs()) {
        const auto& s = settings.get(spec.name);
        std::printf("%-22s %-40s %s\n", spec.name, shown(spec, s).c_str(), s.where.c_str());
    }
    std::printf("\n");

    int code = 0;
    if (config.key.empty())
        std::printf("key:      MISSING: run `dicomlake keygen` and set DICOMLAKE_KEY_FILE (run/backfill need it)\n");
    else
        std::printf("key:      ok (version %d)\n", config.key_version);

    if (config.pacs_url.empty()) {
        std::printf("PACS:     not configured (set DICOMLAKE_PACS_URL)\n");
        code = static_cast<int>(ExitCode::config);
    } else {
        try {
            make_source(config)->probe();
            std::printf("PACS:     ok, QIDO-RS answers at %s\n", source::dicomweb::url_origin(config.pacs_url).c_str());
        } catch (const Error& e) {
            std::printf("PACS:     FAILED: %s\n", redact(e.what()).c_str());
            code = static_cast<int>(e.code());
        }
    }

    if (config.db_url.empty()) {
        std::printf("database: not configured (set DICOMLAKE_DB_URL)\n");
        if (code == 0) code = static_cast<int>(ExitCode::config);
    } else {
        try {
            warehouse::Database db(config.db_url);
            int have = db.schema_version();
            int want = warehouse::embedded_migrations().back().version;
            std::printf("database: ok, %s, schema version %d of %d%s\n", redact(config.db_url).c_str(),
                        have, want, have < want ? " (run `dicomlake migrate`)" : "");
        } catch (const Error& e) {
            std::printf("database: FAILED: %s\n", redact(e.what()).c_str());
            if (code == 0) code = static_cast<int>(e.code());
        }
    }
    return code;
}

}  // namespace dicomlake::command
