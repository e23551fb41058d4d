// Load: COPY a batch of studies into session staging tables, then upsert, in one transaction
// together with the studies' ledger rows. A study is loaded whole or not at all; loading the
// same metadata again changes nothing (unchanged studies are recognised by their content hash).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "normalize/series.hpp"
#include "warehouse/activity.hpp"
#include "warehouse/database.hpp"

namespace dicomlake::warehouse {

struct LoadContext {
    std::string deid_profile;
    std::string deid_options;
    std::string deid_edition;
    int key_version = 1;
    std::string source;  // "dicomweb"
    long run_id = 0;
    bool force = false;  // re-write studies even when their content is unchanged
};

struct StudyLoadOutcome {
    enum class State { loaded, unchanged, failed } state;
    std::string study_key;
    std::string real_day;  // the listed (real) StudyDate, for the ledger to seal; or empty
    long series = 0;
    std::string reason;  // for failed; names no patient
};

// Rows a re-anonymized study replaces: its keys under the current and any older key.
struct Replacement {
    std::vector<std::string> study_keys;
    std::vector<std::string> activity_keys;
    std::vector<std::string> ledger_keys;
};

class Loader {
public:
    // `keys`: the current key first (seals what is written), then older keys of the keyring
    // (what was sealed under them is still read and subtracted). The pointers must outlive the
    // loader.
    Loader(Database& db, LoadContext ctx, activity::Keyring keys)
        : db_(db), ctx_(std::move(ctx)), keys_(std::move(keys)) {}

    // Loads the batch in one transaction. When that transaction fails for a data reason, each
    // study is retried alone so that one bad study cannot hold back the others; a lost
    // connection throws DatabaseError.
    std::vector<StudyLoadOutcome> load(const std::vector<normalize::StudyResult>& batch);

    // Deletes studies the PACS no longer has (reconciliation) with their ledger rows and their
    // share of the utilization aggregates, in one transaction.
    void remove_studies(const std::vector<std::string>& study_keys);
    // Those of `study_keys` whose rows came from this loader's source (LoadContext::source):
    // reconciliation removes only what its own source no longer lists.
    std::vector<std::string> of_this_source(const std::vector<std::string>& study_keys);
    // The sealed ledger entry (study_key and real day) of every loaded study.
    std::vector<std::string> sealed_entries();

    // Deletes every row of `old` and loads `study`, in one transaction (reanonymize).
    StudyLoadOutcome replace(const normalize::StudyResult& study, const Replacement& old);

private:
    std::vector<StudyLoadOutcome> load_in_one_transaction(const std::vector<const normalize::StudyResult*>& batch,
                                                          const Replacement* old = nullptr);
    std::string transaction_settings(pqxx::work& tx);
    void write_ledger(pqxx::work& tx, const std::vector<const normalize::StudyResult*>& batch);
    std::string real_day(const normalize::StudyResult& s) const;
    StudyLoadOutcome rejected(const normalize::StudyResult& s, const std::exception& e) const;
    Database& db_;
    LoadContext ctx_;
    activity::Keyring keys_;
    std::optional<bool> lz4_;  // the server can compress with lz4 (asked once)
};

}  // namespace dicomlake::warehouse
