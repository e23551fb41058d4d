// dicomlake-fleetgen: writes a deterministic fake hospital fleet (DICOM Part 10 files under
// DIR/dicom/<study-no>/<series-no>/<instance-no>.dcm) and its ground truth (DIR/truth.json).
// Same arguments => identical files and a byte-identical truth.json.
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <dcmtk/dcmdata/dcdict.h>

#include "truth.hpp"
#include "writer.hpp"

namespace fs = std::filesystem;
using namespace fleetgen;

namespace {

// Refuses to overwrite a DIR/dicom that is not ours; replaces a previous run's output.
void prepareOutput(const fs::path& out) {
  const fs::path dicom = out / "dicom";
  if (fs::exists(dicom) && !fs::is_empty(dicom)) {
    if (!fs::exists(out / "truth.json"))
      throw std::runtime_error(dicom.string() + " exists and is not empty (and there is no truth.json next to it)");
    fs::remove_all(dicom);
  }
  fs::create_directories(dicom);
}

long writeFleet(const Fleet& f, const fs::path& out) {
  const int width = std::max(4, static_cast<int>(std::to_string(f.studies.size()).size()));
  long files = 0;
  for (const auto& st : f.studies) {
    const std::string dir = (out / "dicom" / zeroPad(st.number, width)).string();
    fs::create_directories(dir);
    StudyContext ctx{f, st, f.scanners[static_cast<std::size_t>(st.scanner)],
                     f.patients[static_cast<std::size_t>(st.patient)], dir};
    for (const auto& se : st.series) {
      if (se.modality == "MR") writeMrSeries(ctx, se);
      else if (se.modality == "CT") writeCtSeries(ctx, se);
      else writeDoseSr(ctx, se);
      files += se.files;
    }
    if (st.fails) {
      writeFailCopy(ctx, f.patients[static_cast<std::size_t>(st.failPatient)]);
      ++files;
    }
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"dicomlake-fleetgen: deterministic fake DICOM fleet (MR lumbar spine, CT + dose SR) plus truth.json"};
  app.add_option("--out", opt.out, "output directory (DIR/dicom/..., DIR/truth.json)")->required();
  app.add_option("--seed", opt.seed, "random seed (0 .. 2^32-1); same arguments => same output")->capture_default_str();
  app.add_option("--scanners", opt.scanners, "number of scanners")->capture_default_str();
  app.add_option("--studies", opt.studies, "number of normal studies")->capture_default_str();
  app.add_option("--from", opt.from, "first study day, YYYY-MM-DD")->capture_default_str();
  app.add_option("--to", opt.to, "last study day (inclusive), YYYY-MM-DD")->capture_default_str();
  app.add_option("--instances-per-series", opt.instancesPerSeries,
                 "images per series (frames per file for Enhanced MR)")->capture_default_str();
  app.add_option("--fail-studies", opt.failStudies,
                 "additional MR studies a PACS keyed on PatientID+StudyInstanceUID cannot serve")->capture_default_str();
  app.add_option("--ct-share", opt.ctShare, "share of CT scanners in the fleet (0..1)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    if (!dcmDataDict.isDictionaryLoaded()) throw std::runtime_error("the DCMTK data dictionary is not loaded");
    const Fleet fleet = planFleet(opt);
    const fs::path out(opt.out);
    prepareOutput(out);
    const long files = writeFleet(fleet, out);
    std::ofstream truth(out / "truth.json", std::ios::binary | std::ios::trunc);
    truth << buildTruth(fleet).dump(2) << "\n";
    truth.close();
    if (!truth) throw std::runtime_error("cannot write " + (out / "truth.json").string());
    std::cout << "dicomlake-fleetgen: " << fleet.scanners.size() << " scanners, " << fleet.studies.size()
              << " studies, " << files << " files -> " << out.string() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "dicomlake-fleetgen: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
