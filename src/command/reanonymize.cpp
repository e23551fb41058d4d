// `dicomlake reanonymize --studies FILE [--by uid|accession]`: fetch the listed studies again,
// de-identify them under the current profile and key, and replace every row they had (found
// through the current key or any older key in the keyring), one transaction per study.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "command/command.hpp"
#include "command/extract_common.hpp"
#include "deid/policy.hpp"
#include "pipeline/transform.hpp"
#include "util/error.hpp"
#include "util/signals.hpp"
#include "warehouse/database.hpp"
#include "warehouse/ledger.hpp"
#include "warehouse/loader.hpp"

namespace dicomlake::command {

namespace {

std::vector<std::string> read_list(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw ConfigError("cannot read the study list '" + path + "' (does it exist, and may this user read it?)");
    std::vector<std::string> out;
    std::set<std::string> seen;
    std::string line;
    while (std::getline(in, line)) {
        auto b = line.find_first_not_of(" \t\r");
        if (b == std::string::npos || line[b] == '#') continue;
        auto e = line.find_last_not_of(" \t\r");
        std::string v = line.substr(b, e - b + 1);
        out.push_back(seen.insert(v).second ? v : std::string());  // keep line numbers; blank = repeat
    }
    return out;
}

}  // namespace

int reanonymize(const cli::Config& config, const std::string& list_file, const std::string& by) {
    cli::require_pacs(config);
    cli::require_database(config);
    cli::require_key(config);
    if (by != "uid" && by != "accession")
        throw ConfigError("--by must be `uid` (StudyInstanceUIDs) or `accession` (AccessionNumbers), not '" + by + "'");
    auto entries = read_list(list_file);
    if (entries.empty()) throw ConfigError("the study list '" + list_file + "' holds no entry");

    warehouse::Database db(config.db_url);
    db.require_current_schema();
    warehouse::ExtractionLock lock(db);
    auto source = make_source(config);
    source->probe();

    const pipeline::Options options = pipeline_options(config);
    deid::Pseudonymizer current(options.key, options.key_version);
    std::vector<deid::Pseudonymizer> keyring{current};
    for (const auto& [version, key] : options.previous_keys) keyring.emplace_back(key, version);
    deid::Policy policy(current, options.deid, options.safe_private, options.keep_text);
    warehouse::Ledger ledger(db);
    long run_id = ledger.start_run("reanonymize", "", "", source->name());
    warehouse::activity::Keyring keys;
    for (const auto& p : keyring) keys.push_back(&p);
    warehouse::Loader loader(db, {deid::Policy::kProfile, options.deid.to_string(), deid::kE11Edition,
                                  options.key_version, source->name(), run_id}, keys);
    auto session = source->open_session();
    const std::string keyword = by == "uid" ? "StudyInstanceUID" : "AccessionNumber";

    warehouse::RunCounts counts;
    long unmatched = 0;
    std::set<std::string> done;
    for (size_t line = 0; line < entries.size() && !stop_requested(); ++line) {
        if (entries[line].empty()) continue;
        std::vector<source::StudyRef> refs;
        try {
            refs = source->find_studies(keyword, entries[line]);
        } catch (const source::SourceError& e) {
            ledger.finish_run(run_id, counts, "failed", static_cast<int>(ExitCode::pacs_unavailable), e.what());
            throw PacsError(std::string("looking up the listed studies failed: ") + e.what());
        }
        if (refs.empty()) {
            // The entry itself is an identifier: name it by its place in the list only.
            spdlog::warn("entry {} of the list ({}) matched no study in the PACS", line + 1, keyword);
            ++unmatched;
            continue;
        }
        for (const auto& ref : refs) {
            if (!done.insert(ref.study_uid).second) continue;
            ++counts.studies_found;
            auto o = pipeline::transform_study(ref, *session, current, policy, options.walk);
            if (!o.ok) {
                ledger.record_failure(run_id, current, o.study_key, o.study_date, o.reason);
                spdlog::warn("study {} failed: {}", warehouse::ledger_key(current, o.study_key), o.reason);
                ++counts.studies_failed;
                continue;
            }
            warehouse::Replacement old;
            for (const auto& p : keyring) {
                old.study_keys.push_back(p.uid(ref.study_uid));
                old.activity_keys.push_back(p.token(deid::Purpose::activity, old.study_keys.back()));
                old.ledger_keys.push_back(warehouse::ledger_key(p, old.study_keys.back()));
            }
            auto r = loader.replace(o.result, old);
            if (r.state == warehouse::StudyLoadOutcome::State::failed) {
                ledger.record_failure(run_id, current, r.study_key, o.study_date, r.reason);
                ++counts.studies_failed;
            } else {
                ++counts.studies_loaded;
                counts.series_loaded += r.series;
                spdlog::info("study {} re-anonymized ({} series)", r.study_key, r.series);
            }
        }
    }
    ExitCode code = stop_requested()                               ? ExitCode::interrupted
                    : counts.studies_failed > 0 || unmatched > 0 ? ExitCode::partial
                                                                 : ExitCode::ok;
    std::string message;
    if (unmatched > 0) message = std::to_string(unmatched) + " list entr(ies) matched no study";
    if (counts.studies_failed > 0)
        message += (message.empty() ? "" : "; ") + std::to_string(counts.studies_failed) + " stud(ies) failed";
    if (code == ExitCode::interrupted) message = "interrupted by a signal; run the same command again to finish";
    ledger.finish_run(run_id, counts,
                      code == ExitCode::ok ? "success" : code == ExitCode::partial ? "partial" : "failed",
                      static_cast<int>(code), message);
    std::printf("reanonymize: %zu list entries, %ld studies found, %ld replaced (%ld series), %ld failed, %ld entries "
                "matched nothing\n",
                entries.size(), counts.studies_found, counts.studies_loaded, counts.series_loaded,
                counts.studies_failed, unmatched);
    return static_cast<int>(code);
}

}  // namespace dicomlake::command
