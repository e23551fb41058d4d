#include "warehouse/loader.hpp"

#include <pqxx/tablewriter>

#include <set>

#include "util/error.hpp"
#include "warehouse/copy_text.hpp"
#include "warehouse/ledger.hpp"

namespace dicomlake::warehouse {

namespace {

const std::vector<std::string> kStudyColumns = {
    "study_key", "study_date", "study_time", "study_description", "modalities", "institution",
    "patient_age", "patient_sex", "patient_size_m", "patient_weight_kg", "series_count", "instance_count",
    "first_acquired", "last_acquired", "content_hash", "deid_profile", "key_version", "source",
    "deid_options", "deid_edition", "patient_key", "accession_key", "pseudo_patient"};

const std::vector<std::string> kSeriesColumns = {
    "study_key", "series_key", "modality", "manufacturer", "model", "device_serial", "station",
    "institution", "series_description", "protocol_name", "body_part", "sop_class_uid", "image_type",
    "series_number", "series_date", "series_time", "nex", "tr_ms", "te_ms", "ti_ms", "echo_train_length",
    "flip_angle", "slice_thickness_mm", "field_strength_t", "ctdivol_mgy", "instances", "first_acquired",
    "last_acquired", "attributes", "varying", "protocol_derived", "localizer", "derived", "acquisition_s",
    "acquisition_source", "instances_on_pacs"};

std::string joined(const std::vector<std::string>& cols, const std::string& prefix = "") {
    std::string s;
    for (size_t i = 0; i < cols.size(); ++i) {
        if (i > 0) s += ", ";
        s += prefix + cols[i];
    }
    return s;
}

std::string update_set(const std::vector<std::string>& cols, size_t key_columns) {
    std::string s;
    for (size_t i = key_columns; i < cols.size(); ++i) {
        if (!s.empty()) s += ", ";
        s += cols[i] + " = EXCLUDED." + cols[i];
    }
    return s;
}

std::string date_or_empty(const std::string& s) { return valid_iso_date(s) ? s : std::string(); }
std::string time_or_empty(const std::string& s) { return valid_iso_time(s) ? s : std::string(); }
std::string ts_or_empty(const std::string& s) { return valid_iso_timestamp(s) ? s : std::string(); }

std::string study_line(const normalize::StudyRow& s, const LoadContext& ctx) {
    CopyLine l;
    l.text(s.study_key)
        .text_or_null(date_or_empty(s.study_date))
        .text_or_null(time_or_empty(s.study_time))
        .text_or_null(s.study_description)
        .array(s.modalities)
        .text_or_null(s.institution)
        .text_or_null(s.patient_age)
        .text_or_null(s.patient_sex)
        .number(s.patient_size_m)
        .number(s.patient_weight_kg)
        .integer(s.series_count)
        .integer(s.instance_count)
        .text_or_null(ts_or_empty(s.first_acquired))
        .text_or_null(ts_or_empty(s.last_acquired))
        .text(s.content_hash)
        .text(ctx.deid_profile)
        .integer(ctx.key_version)
        .text(ctx.source)
        .text(ctx.deid_options)
        .text(ctx.deid_edition)
        .text_or_null(s.patient_key)
        .text_or_null(s.accession_key)
        .text(s.pseudo_patient ? "t" : "f");
    return l.take();
}

const std::vector<std::string> kDoseStudyColumns = {"study_key", "source", "template_id", "dlp_total_mgycm",
                                                    "ctdivol_max_mgy", "dap_total_gym2", "dose_rp_total_gy",
                                                    "event_count"};
const std::vector<std::string> kDoseEventColumns = {
    "study_key", "ordinal", "event_uid", "kind", "ctdivol_mgy", "dlp_mgycm", "phantom", "target_region",
    "acquisition_type", "irradiation_event_type", "dap_gym2", "dose_rp_gy", "agd_mgy", "compression_thickness_mm"};

void dose_lines(const normalize::StudyResult& s, std::vector<std::string>& studies, std::vector<std::string>& events) {
    if (!s.dose) return;
    const auto& d = *s.dose;
    CopyLine l;
    l.text(s.study.study_key)
        .text(d.source)
        .text_or_null(d.template_id)
        .number(d.dlp_total_mgycm)
        .number(d.ctdivol_max_mgy)
        .number(d.dap_total_gym2)
        .number(d.dose_rp_total_gy)
        .integer(static_cast<long>(d.events.size()));
    studies.push_back(l.take());
    long ordinal = 0;
    for (const auto& e : d.events) {
        CopyLine x;
        x.text(s.study.study_key)
            .integer(++ordinal)
            .text_or_null(e.event_uid)
            .text_or_null(e.kind)
            .number(e.ctdivol_mgy)
            .number(e.dlp_mgycm)
            .text_or_null(e.phantom)
            .text_or_null(e.target_region)
            .text_or_null(e.acquisition_type)
            .text_or_null(e.irradiation_event_type)
            .number(e.dap_gym2)
            .number(e.dose_rp_gy)
            .number(e.agd_mgy)
            .number(e.compression_thickness_mm);
        events.push_back(x.take());
    }
}

std::string series_line(const normalize::SeriesRow& r) {
    CopyLine l;
    l.text(r.study_key)
        .text(r.series_key)
        .text_or_null(r.modality)
        .text_or_null(r.manufacturer)
        .text_or_null(r.model)
        .text_or_null(r.device_serial)
        .text_or_null(r.station)
        .text_or_null(r.institution)
        .text_or_null(r.series_description)
        .text_or_null(r.protocol_name)
        .text_or_null(r.body_part)
        .text_or_null(r.sop_class_uid)
        .text_or_null(r.image_type)
        .integer(r.series_number)
        .text_or_null(date_or_empty(r.series_date))
        .text_or_null(time_or_empty(r.series_time))
        .number(r.nex)
        .number(r.tr_ms)
        .number(r.te_ms)
        .number(r.ti_ms)
        .number(r.echo_train_length)
        .number(r.flip_angle)
        .number(r.slice_thickness_mm)
        .number(r.field_strength_t)
        .number(r.ctdivol_mgy)
        .integer(r.instances)
        .text_or_null(ts_or_empty(r.first_acquired))
        .text_or_null(ts_or_empty(r.last_acquired))
        .text(r.attributes_json)
        .array(r.varying)
        .text_or_null(r.protocol_derived)
        .text(r.localizer ? "t" : "f")
        .text(r.derived ? "t" : "f")
        .number(r.acquisition_s)
        .text_or_null(r.acquisition_source)
        .integer(r.instances_on_pacs);
    return l.take();
}

void copy_rows(pqxx::work& tx, const std::string& table, const std::vector<std::string>& cols,
               const std::vector<std::string>& lines) {
    // libpqxx 6.4's stream_to has no public raw-line write; tablewriter does (deprecated there,
    // still supported): the lines are escaped once by CopyLine.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    pqxx::tablewriter writer(tx, table, cols.begin(), cols.end());
#pragma GCC diagnostic pop
    for (const auto& line : lines) writer.write_raw_line(line);
    writer.complete();
}

}  // namespace

// A batch's commit does not wait for its WAL to reach the disk: a crash of PostgreSQL can lose
// the last batches, rows and ledger rows together (one transaction), so their studies are simply
// loaded again by the next run. The run's own end (Ledger::finish_run, which advances `run`'s
// watermark) commits synchronously, and that flushes every earlier commit with it. Large jsonb
// values are compressed with lz4 where the server has it: pglz took a fifth of the server's CPU.
std::string Loader::transaction_settings(pqxx::work& tx) {
    if (!lz4_)
        lz4_ = !tx.exec("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'"
                        " AND 'lz4' = ANY(enumvals)")
                    .empty();
    return *lz4_ ? "SET LOCAL synchronous_commit = off; SET LOCAL default_toast_compression = lz4"
                 : "SET LOCAL synchronous_commit = off";
}

std::vector<StudyLoadOutcome> Loader::load(const std::vector<normalize::StudyResult>& batch) {
    std::vector<const normalize::StudyResult*> all;
    for (const auto& s : batch) all.push_back(&s);
    if (all.empty()) return {};
    try {
        return load_in_one_transaction(all);
    } catch (const pqxx::broken_connection& e) {
        rethrow_as_database_error(e, "loading a batch");
    } catch (const DatabaseError&) {
        throw;
    } catch (const std::exception& batch_error) {
        if (all.size() == 1) return {rejected(*all.front(), batch_error)};
    }
    std::vector<StudyLoadOutcome> out;
    for (const auto* s : all) {
        try {
            auto one = load_in_one_transaction({s});
            out.insert(out.end(), one.begin(), one.end());
        } catch (const pqxx::broken_connection& e) {
            rethrow_as_database_error(e, "loading a study");
        } catch (const DatabaseError&) {
            throw;
        } catch (const std::exception& e) {
            out.push_back(rejected(*s, e));
        }
    }
    return out;
}

void Loader::remove_studies(const std::vector<std::string>& study_keys) {
    std::vector<std::string> ledger_keys;
    for (const auto& k : study_keys) ledger_keys.push_back(ledger_key(*keys_.front(), k));
    db_.with_transaction([&](pqxx::work& tx) {
        tx.exec_params("DELETE FROM dicomlake.study WHERE study_key = ANY($1::text[])", pg_array_literal(study_keys));
        tx.exec_params("DELETE FROM dicomlake.study_status WHERE ledger_key = ANY($1::text[])",
                       pg_array_literal(ledger_keys));
        auto settings = activity::read_settings(tx);
        for (const auto& k : study_keys)
            activity::replace(tx, keys_, settings, {keys_.front()->token(deid::Purpose::activity, k)}, "", {});
    });
}

std::vector<std::string> Loader::of_this_source(const std::vector<std::string>& study_keys) {
    return db_.with_transaction([&](pqxx::work& tx) {
        std::vector<std::string> out;
        for (const auto& r : tx.exec_params("SELECT study_key FROM dicomlake.study"
                                            " WHERE study_key = ANY($1::text[]) AND source = $2 ORDER BY 1",
                                            pg_array_literal(study_keys), ctx_.source))
            out.push_back(r[0].as<std::string>());
        return out;
    });
}

std::vector<std::string> Loader::sealed_entries() {
    return db_.with_transaction([](pqxx::work& tx) {
        std::vector<std::string> out;
        for (const auto& r : tx.exec("SELECT sealed FROM dicomlake.study_status"
                                     " WHERE state = 'loaded' AND sealed IS NOT NULL"))
            out.push_back(r[0].as<std::string>());
        return out;
    });
}

std::string Loader::real_day(const normalize::StudyResult& s) const {
    auto day = s.sealed_day.empty() ? std::nullopt : keys_.front()->unseal(s.sealed_day);
    return day ? *day : std::string();
}

// The study's listed (real) day goes with the failure, never its shifted StudyDate: the next
// run lists that day again to retry the study.
StudyLoadOutcome Loader::rejected(const normalize::StudyResult& s, const std::exception& e) const {
    return {StudyLoadOutcome::State::failed, s.study.study_key, real_day(s), 0,
            "the warehouse rejected the study's rows: " + safe_db_message(e)};
}

StudyLoadOutcome Loader::replace(const normalize::StudyResult& study, const Replacement& old) {
    try {
        return load_in_one_transaction({&study}, &old).front();
    } catch (const pqxx::broken_connection& e) {
        rethrow_as_database_error(e, "replacing a study");
    } catch (const DatabaseError&) {
        throw;
    } catch (const std::exception& e) {
        return rejected(study, e);
    }
}

std::vector<StudyLoadOutcome> Loader::load_in_one_transaction(
    const std::vector<const normalize::StudyResult*>& batch, const Replacement* old) {
    pqxx::work tx(db_.connection());
    tx.exec(transaction_settings(tx));
    if (old != nullptr) {
        tx.exec_params("DELETE FROM dicomlake.study WHERE study_key = ANY($1::text[])",
                       pg_array_literal(old->study_keys));
        tx.exec_params("DELETE FROM dicomlake.study_status WHERE ledger_key = ANY($1::text[])",
                       pg_array_literal(old->ledger_keys));
        activity::replace(tx, keys_, activity::read_settings(tx), old->activity_keys, "", {});
    }
    tx.exec(
        "CREATE TEMP TABLE IF NOT EXISTS stage_study (LIKE dicomlake.study INCLUDING DEFAULTS)"
        " ON COMMIT DELETE ROWS");
    tx.exec(
        "CREATE TEMP TABLE IF NOT EXISTS stage_series (LIKE dicomlake.series INCLUDING DEFAULTS)"
        " ON COMMIT DELETE ROWS");

    // Which studies are already there, unchanged, under the same profile and key?
    std::vector<std::string> keys, hashes;
    for (const auto* s : batch) {
        keys.push_back(s->study.study_key);
        hashes.push_back(s->study.content_hash);
    }
    std::set<std::string> unchanged;
    auto r = tx.exec_params(
        "SELECT s.study_key FROM dicomlake.study s"
        " JOIN unnest($1::text[], $2::text[]) AS b(k, h) ON s.study_key = b.k AND s.content_hash = b.h"
        " WHERE s.deid_profile = $3 AND s.key_version = $4 AND s.deid_options = $5 AND s.deid_edition = $6",
        pg_array_literal(keys), pg_array_literal(hashes), ctx_.deid_profile, ctx_.key_version, ctx_.deid_options,
        ctx_.deid_edition);
    for (const auto& row : r) unchanged.insert(row[0].as<std::string>());

    std::vector<std::string> study_lines, series_lines, dose_study_lines, dose_event_lines, changed_keys;
    std::vector<const normalize::StudyResult*> recount;  // their utilization is (re)computed
    std::vector<StudyLoadOutcome> out;
    for (const auto* s : batch) {
        bool same = !ctx_.force && unchanged.count(s->study.study_key) > 0;
        out.push_back({same ? StudyLoadOutcome::State::unchanged : StudyLoadOutcome::State::loaded,
                       s->study.study_key, {}, static_cast<long>(s->series.size()), {}});
        // An unchanged study whose stored contribution is missing or older (written before
        // utilization was kept, or before the weekly trends) is counted again.
        if (!s->activity_key.empty() &&
            (!same || !activity::is_stored(tx, keys_, s->activity_key, activity::contributions(s->activity))))
            recount.push_back(s);
        if (same) continue;
        study_lines.push_back(study_line(s->study, ctx_));
        changed_keys.push_back(s->study.study_key);
        dose_lines(*s, dose_study_lines, dose_event_lines);
        for (const auto& row : s->series) series_lines.push_back(series_line(row));
    }

    if (!study_lines.empty()) {
        copy_rows(tx, "stage_study", kStudyColumns, study_lines);
        copy_rows(tx, "stage_series", kSeriesColumns, series_lines);
        // Series the PACS no longer has for a changed study go; the rest is upserted.
        tx.exec(
            "DELETE FROM dicomlake.series s USING stage_study st WHERE s.study_key = st.study_key"
            " AND NOT EXISTS (SELECT 1 FROM stage_series ss"
            "                 WHERE ss.study_key = s.study_key AND ss.series_key = s.series_key)");
        tx.exec("INSERT INTO dicomlake.study (" + joined(kStudyColumns) + ") SELECT " + joined(kStudyColumns) +
                " FROM stage_study ON CONFLICT (study_key) DO UPDATE SET " + update_set(kStudyColumns, 1));
        tx.exec("INSERT INTO dicomlake.series (" + joined(kSeriesColumns) + ") SELECT " +
                joined(kSeriesColumns) + " FROM stage_series ON CONFLICT (study_key, series_key) DO UPDATE SET " +
                update_set(kSeriesColumns, 2));
        tx.exec_params("DELETE FROM dicomlake.dose_event WHERE study_key = ANY($1::text[])",
                       pg_array_literal(changed_keys));
        tx.exec_params("DELETE FROM dicomlake.dose_study WHERE study_key = ANY($1::text[])",
                       pg_array_literal(changed_keys));
        if (!dose_study_lines.empty()) copy_rows(tx, "dicomlake.dose_study", kDoseStudyColumns, dose_study_lines);
        if (!dose_event_lines.empty()) copy_rows(tx, "dicomlake.dose_event", kDoseEventColumns, dose_event_lines);
    }
    if (!recount.empty()) {
        auto settings = activity::read_settings(tx);
        for (const auto* st : recount)
            activity::replace(tx, keys_, settings, {st->activity_key}, st->activity_key,
                              activity::contributions(st->activity));
    }
    write_ledger(tx, batch);
    tx.commit();
    return out;
}

}  // namespace dicomlake::warehouse

namespace dicomlake::warehouse {

// A loaded study's ledger row: its ledger key and, sealed, its study_key and real day. The row of
// an unchanged study is left as it is (its run and time say when it last changed).
void Loader::write_ledger(pqxx::work& tx, const std::vector<const normalize::StudyResult*>& batch) {
    std::vector<std::string> keys, sealed;
    for (const auto* s : batch) {
        keys.push_back(ledger_key(*keys_.front(), s->study.study_key));
        sealed.push_back(seal_entry(*keys_.front(), {s->study.study_key, real_day(*s)}));
    }
    tx.exec_params(
        "INSERT INTO dicomlake.study_status AS ss (ledger_key, sealed, state, attempts, last_run_id)"
        " SELECT k, d, 'loaded', 0, $2 FROM unnest($1::text[], $3::text[]) AS b(k, d)"
        " ON CONFLICT (ledger_key) DO UPDATE SET state = 'loaded', reason = NULL, attempts = 0,"
        "   last_run_id = EXCLUDED.last_run_id, updated_at = now(), sealed = EXCLUDED.sealed"
        " WHERE ss.state <> 'loaded' OR ss.sealed IS NULL",
        pg_array_literal(keys), ctx_.run_id, pg_array_literal(sealed));
}

}  // namespace dicomlake::warehouse
