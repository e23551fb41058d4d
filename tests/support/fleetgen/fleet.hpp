// dicomlake-fleetgen: the fake fleet model (scanners, patients, studies, series) and the
// planning steps that build it. Writing DICOM files and the truth happens elsewhere; both
// read only this model, so files and truth cannot disagree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util.hpp"

namespace fleetgen {

struct Options {
  std::string out;
  std::uint64_t seed = 1;
  int scanners = 8;
  int studies = 40;
  std::string from = "2026-11-02";
  std::string to = "2026-11-06";
  int instancesPerSeries = 3;
  int failStudies = 0;
  double ctShare = 0.3;
};

enum class Vendor { Siemens, GE, Philips, Canon };

// The scanner's own settings of one MR protocol (its "protocol tree"); series jitter a little.
struct ProtocolBase {
  std::string protocol;  // canonical: LOCALIZER, SAG_T1, ...
  double tr = 0, te = 0, ti = 0;  // ms; ti 0 = none
  int etl = 1;
  double flip = 90, thk = 4, gapFactor = 1.1, fov = 280, pf = 1, bw = 200;
  int freq = 256, phase = 192;
  int nex = 1;
};

struct Scanner {
  int index = 0;
  Vendor vendor = Vendor::Siemens;
  std::string modality;  // MR or CT
  std::string manufacturer, model, serial, station, institution, software, deviceUid;
  double fieldStrength = 0;  // tesla, MR only (value as written, 1 decimal)
  bool enhanced = false;     // MR series (not the localizer) written as Enhanced MR
  std::vector<ProtocolBase> protocols;  // MR: LOCALIZER first, then this scanner's lumbar set
};

struct Planted {
  int scanner = 0;
  std::string protocol;
  int normalNex = 1, nex = 1;
};

struct Patient {
  std::string id, name, birth, sex, otherId;  // name is UTF-8, birth YYYYMMDD
  Num height, weight;                         // m, kg
};

struct SeriesSpec {
  int number = 0;  // SeriesNumber and directory name
  std::string protocol, description, modality, sopClass, uid;
  bool enhanced = false;
  int files = 1, frames = 1;    // files written; frames per file (enhanced MR)
  int offset = 0, duration = 0;  // seconds from study start; acquisition span
  // MR
  std::string plane;  // SAG, AX, COR, LOC (three-plane localizer)
  Num tr, te, ti, flip, nex, thk, spacing, fov, pf, bw, pctPhase, fieldStrength;
  bool hasTi = false;
  int etl = 0, freq = 0, phase = 0;
  std::string scanSeq, seqVariant, scanOptions, seqName, contrast;
  // CT (image series and the events reported in the dose SR)
  Num kvp, ctdi, pitch, lengthCm, dlp, exposureTimeS;
  bool hasPitch = false;
  int mA = 0, mAs = 0, exposureMs = 0;
  std::string kernel, region, regionCode, acqType, acqTypeCode, acqTypeScheme, phantom, phantomCode, eventUid;
  bool isImage() const { return modality != "SR"; }
};

struct StudySpec {
  int number = 0;  // 1-based, chronological
  int scanner = 0, patient = -1, failPatient = -1;
  bool fails = false;
  std::string modality, description, bodyPart, procCode, ctType;
  long day = 0;
  int start = 0, duration = 0;  // second of day, seconds
  std::vector<SeriesSpec> series;
  std::string uid, charset, referring, operatorName, accession, comment;
  Num privateNumber, dlpTotal;
  Stamp startStamp() const { return stampOf(day, start); }
};

struct Fleet {
  Options opt;
  long fromDay = 0, toDay = 0;
  std::vector<Scanner> scanners;
  std::vector<Planted> planted;
  std::vector<Patient> patients;
  std::vector<StudySpec> studies;
};

// UID under the fixed root: root.<seed>.<kind>.<a>[.<b>[.<c>]] (components > 0 are appended).
std::string makeUid(std::uint64_t seed, int kind, long a, long b = -1, long c = -1);
enum UidKind { kStudy = 1, kSeries = 2, kInstance = 3, kEvent = 4, kFailCopy = 5, kFrameOfRef = 6,
               kMpps = 7, kDevice = 8, kDimOrg = 9 };

// Acquisition time stamps of the `count` instances (or frames) of a series: the first at
// the series start, the last at its end, evenly spaced in whole seconds.
std::vector<Stamp> acquisitionStamps(const StudySpec& study, const SeriesSpec& series, int count);

// Planning (fleet.cpp, plan_mr.cpp, plan_ct.cpp).
Fleet planFleet(const Options& opt);  // throws std::runtime_error on bad options
void buildMrProtocols(Scanner& scanner, Rng& rng);
int normalNex(const std::string& protocol);
void planMrStudy(const Fleet& fleet, StudySpec& study, Rng& rng);
void planCtStudy(const Fleet& fleet, StudySpec& study, Rng& rng);

const char* vendorKey(Vendor v);

}  // namespace fleetgen
