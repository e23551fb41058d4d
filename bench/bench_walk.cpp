// Micro-benchmark of dicomlake's hot path on recorded WADO-RS metadata bodies
// (GET /studies/{uid}/metadata, one file per study; bench/record_bodies.sh records them).
//
//   DICOMLAKE_BENCH_BODIES=DIR build/bench/dicomlake_bench_walk [--benchmark_* flags]
//
// Every *.json file under DIR is one body; the files of each sub-directory form one corpus
// (e.g. DIR/small, DIR/large), files directly in DIR the corpus "bodies". One benchmark
// iteration processes every body of its corpus once, so bytes/s and instances/s are
// throughput over realistic studies. Per corpus:
//
//   ref_simdjson_iterate   simdjson On-Demand touching every key and value (strings unescaped,
//                          numbers parsed): raw parse cost, the floor for the walk
//   ref_nlohmann_parse     nlohmann::json::parse of the same bytes (a DOM, as most code does)
//   walk_keepall           model::walk_metadata with KeepAllFilter: flatten + keyword paths + typing
//   walk_deid              model::walk_metadata with the de-identification policy backfill uses
//                          (deid::Policy, PS3.15 profile with default options): pseudonyms,
//                          date shift, cleaning
//   transform              walk_deid + normalize::StudyAccumulator add/finish: what a worker
//                          thread does per study in `dicomlake backfill` (pipeline/extract.cpp)
//
// and once: pseudonym_uid, one deid::Pseudonymizer::uid call (HMAC-SHA256 + decimal).
//
// The context block prints simdjson's compile-time ("builtin") implementation, the one the
// On-Demand code compiled into this binary uses (stage 2: iterating, unescaping strings,
// parsing numbers), and the runtime-selected ("active") one, which simdjson 3.0's
// ondemand::parser uses for stage 1 (finding the structural characters). See bench/README.md.
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "deid/policy.hpp"
#include "deid/pseudonym.hpp"
#include "model/dicom_json.hpp"
#include "normalize/series.hpp"

// The de-identification `dicomlake backfill` applies: the PS3.15 profile with the default options.
#include "deid/profile.hpp"

#define DICOMLAKE_BENCH_STR2(x) #x
#define DICOMLAKE_BENCH_STR(x) DICOMLAKE_BENCH_STR2(x)

#ifndef DICOMLAKE_BENCH_VARIANT
#define DICOMLAKE_BENCH_VARIANT "default"
#endif

namespace {

namespace fs = std::filesystem;
namespace od = simdjson::ondemand;
using namespace dicomlake;

// A fixed benchmark key (64 hex characters, like `dicomlake keygen`); never a real one.
constexpr const char* kBenchKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Corpus {
    std::string name;
    std::vector<simdjson::padded_string> bodies;
    size_t bytes = 0;
    long instances = 0;
    long attributes_kept = 0;  // KeepAllFilter attributes, all instances
};

// ---------------------------------------------------------------------------------------------
// Reference: simdjson On-Demand visiting every field and value.

size_t visit(od::value v) {
    switch (v.type()) {
        case od::json_type::object: {
            size_t n = 0;
            for (auto field : v.get_object()) {
                n += field.unescaped_key().value().size();
                n += visit(field.value());
            }
            return n;
        }
        case od::json_type::array: {
            size_t n = 0;
            for (auto element : v.get_array()) n += visit(element.value());
            return n;
        }
        case od::json_type::string: return v.get_string().value().size();
        case od::json_type::number: return v.get_double() != 0.0 ? 1 : 0;
        case od::json_type::boolean: return v.get_bool() ? 1 : 0;
        case od::json_type::null: return v.is_null() ? 1 : 0;
    }
    return 0;
}

size_t simdjson_iterate(od::parser& parser, const simdjson::padded_string& body) {
    od::document doc = parser.iterate(body);
    return visit(doc.get_value());
}

// ---------------------------------------------------------------------------------------------
// Corpus loading

std::map<std::string, Corpus> load_corpora(const fs::path& dir) {
    std::map<std::string, std::vector<fs::path>> files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
        fs::path rel = fs::relative(entry.path().parent_path(), dir);
        std::string name = rel.empty() || rel == "." ? "bodies" : rel.generic_string();
        files[name].push_back(entry.path());
    }
    model::KeepAllFilter keep;
    std::map<std::string, Corpus> corpora;
    for (auto& [name, paths] : files) {
        std::sort(paths.begin(), paths.end());
        Corpus c;
        c.name = name;
        long unusable = 0;
        for (const auto& p : paths) {
            std::ifstream in(p, std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            simdjson::padded_string body(bytes);
            long inst = 0, attrs = 0;
            try {
                model::walk_metadata(body, keep, [&](model::Instance&& i) {
                    ++inst;
                    attrs += static_cast<long>(i.attributes.size());
                });
            } catch (const std::exception&) {
                inst = 0;
            }
            if (inst == 0) {  // an error page, an empty answer, the planted unservable study
                ++unusable;
                continue;
            }
            c.bytes += body.size();
            c.instances += inst;
            c.attributes_kept += attrs;
            c.bodies.push_back(std::move(body));
        }
        if (unusable > 0)
            std::fprintf(stderr, "bench: corpus %s: skipped %ld file(s) that hold no walkable instance\n",
                         name.c_str(), unusable);
        if (!c.bodies.empty()) corpora.emplace(name, std::move(c));
    }
    return corpora;
}

void set_rates(benchmark::State& state, const Corpus& c) {
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(c.bytes));
    state.counters["instances/s"] =
        benchmark::Counter(static_cast<double>(c.instances), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["studies/s"] =
        benchmark::Counter(static_cast<double>(c.bodies.size()), benchmark::Counter::kIsIterationInvariantRate);
}

// ---------------------------------------------------------------------------------------------
// Benchmarks

void BM_ref_simdjson_iterate(benchmark::State& state, const Corpus* c) {
    od::parser parser;
    for (auto _ : state) {
        for (const auto& body : c->bodies) benchmark::DoNotOptimize(simdjson_iterate(parser, body));
    }
    set_rates(state, *c);
}

void BM_ref_nlohmann_parse(benchmark::State& state, const Corpus* c) {
    for (auto _ : state) {
        for (const auto& body : c->bodies) {
            auto j = nlohmann::json::parse(body.data(), body.data() + body.size());
            benchmark::DoNotOptimize(j.size());
        }
    }
    set_rates(state, *c);
}

void BM_walk(benchmark::State& state, const Corpus* c, const model::AttributeFilter* filter) {
    size_t attrs = 0;
    for (auto _ : state) {
        for (const auto& body : c->bodies)
            model::walk_metadata(body, *filter, [&](model::Instance&& i) { attrs += i.attributes.size(); });
    }
    benchmark::DoNotOptimize(attrs);
    set_rates(state, *c);
}

void BM_transform(benchmark::State& state, const Corpus* c, const model::AttributeFilter* filter) {
    size_t series = 0;
    for (auto _ : state) {
        for (const auto& body : c->bodies) {
            normalize::StudyAccumulator acc;
            model::walk_metadata(body, *filter, [&](model::Instance&& i) { acc.add(std::move(i)); });
            normalize::StudyResult r = acc.finish();
            series += r.series.size();
        }
    }
    benchmark::DoNotOptimize(series);
    set_rates(state, *c);
}

// One UID pseudonym (HMAC-SHA256 + decimal), the unit cost behind walk_deid - walk_keepall.
void BM_pseudonym_uid(benchmark::State& state, const deid::Pseudonymizer* p) {
    const std::string uid = "1.2.826.0.1.3680043.10.1234.11.3.1.1.1";
    for (auto _ : state) benchmark::DoNotOptimize(p->uid(uid));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

    const char* dir = std::getenv("DICOMLAKE_BENCH_BODIES");
    if (dir == nullptr || *dir == '\0') {
        std::fprintf(stderr,
                     "bench: DICOMLAKE_BENCH_BODIES is not set: nothing to measure, skipping.\n"
                     "       Record bodies with bench/record_bodies.sh OUTDIR, then run\n"
                     "       DICOMLAKE_BENCH_BODIES=OUTDIR %s\n",
                     argv[0]);
        return 0;
    }
    if (!fs::is_directory(dir)) {
        std::fprintf(stderr, "bench: DICOMLAKE_BENCH_BODIES=%s is not a directory\n", dir);
        return 1;
    }
    static std::map<std::string, Corpus> corpora = load_corpora(dir);
    if (corpora.empty()) {
        std::fprintf(stderr, "bench: no usable *.json metadata body under %s\n", dir);
        return 1;
    }

    static const model::KeepAllFilter keep_all;
    static const deid::Pseudonymizer pseudonymizer(kBenchKey, 1);
    static const deid::Policy deid_policy(pseudonymizer, deid::ProfileOptions::defaults());
    const std::string deid_name = std::string(deid::Policy::kProfile) + " (" + deid_policy.options().to_string() + ")";

    benchmark::AddCustomContext("dicomlake_variant", DICOMLAKE_BENCH_VARIANT);
    benchmark::AddCustomContext("deid_policy", deid_name);
    benchmark::AddCustomContext("simdjson_version", DICOMLAKE_BENCH_STR(SIMDJSON_VERSION));
    // On-Demand code is compiled into the including translation unit for the kernel the compile
    // flags allow (SIMDJSON_BUILTIN_IMPLEMENTATION): that is this binary's stage 2, the walk.
    benchmark::AddCustomContext("simdjson_builtin_this_binary",
                                DICOMLAKE_BENCH_STR(SIMDJSON_BUILTIN_IMPLEMENTATION));
    // simdjson::builtin_implementation() is defined in libsimdjson.so, so it names the builtin
    // of the *library's* build (Debian: no -march), whatever this binary was compiled with.
    benchmark::AddCustomContext("simdjson_builtin_implementation()", simdjson::builtin_implementation()->name());
    // ondemand::parser creates its stage 1 (structural indexing, the SIMD part) from the
    // runtime-selected implementation (CPU detection; SIMDJSON_FORCE_IMPLEMENTATION overrides).
    benchmark::AddCustomContext("simdjson_active_implementation_stage1", simdjson::get_active_implementation()->name());
#ifdef __AVX2__
    benchmark::AddCustomContext("compiled_with_avx2", "yes");
#else
    benchmark::AddCustomContext("compiled_with_avx2", "no");
#endif
    for (const auto& [name, c] : corpora) {
        char buf[200];
        std::snprintf(buf, sizeof buf, "%zu studies, %ld instances, %zu bytes (%.1f KiB/instance), %ld attributes",
                      c.bodies.size(), c.instances, c.bytes, static_cast<double>(c.bytes) / 1024.0 / c.instances,
                      c.attributes_kept);
        benchmark::AddCustomContext("corpus_" + name, buf);
    }

    for (const auto& [name, c] : corpora) {
        const Corpus* cp = &c;
        benchmark::RegisterBenchmark(("ref_simdjson_iterate/" + name).c_str(), BM_ref_simdjson_iterate, cp)
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("ref_nlohmann_parse/" + name).c_str(), BM_ref_nlohmann_parse, cp)
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("walk_keepall/" + name).c_str(), BM_walk, cp,
                                     static_cast<const model::AttributeFilter*>(&keep_all))
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("walk_deid/" + name).c_str(), BM_walk, cp,
                                     static_cast<const model::AttributeFilter*>(&deid_policy))
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("transform/" + name).c_str(), BM_transform, cp,
                                     static_cast<const model::AttributeFilter*>(&deid_policy))
            ->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark("pseudonym_uid", BM_pseudonym_uid, &pseudonymizer);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
