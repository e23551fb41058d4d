// dicomlake-fleetgen: small deterministic helpers (random numbers, numbers as DICOM DS,
// civil dates, character sets). Nothing here depends on DCMTK.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace fleetgen {

// Deterministic random source. std::mt19937_64 is fully specified by the standard; the
// std:: distributions are not, so every distribution here is written out by hand and uses
// only integer arithmetic and exact double operations (no libm), so results are the same
// with every compiler and C library.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : gen_(seed) {}

  std::uint64_t next() { return gen_(); }
  // Uniform in [0, 1) with 53 bits.
  double u01() { return static_cast<double>(gen_() >> 11) * (1.0 / 9007199254740992.0); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * u01(); }
  // Uniform integer in [lo, hi] (inclusive); the modulo bias is negligible here.
  int uniformInt(int lo, int hi) {
    if (hi <= lo) return lo;
    return lo + static_cast<int>(gen_() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  bool chance(double p) { return u01() < p; }
  // Approximately normal (Irwin-Hall sum of 12 uniforms), clipped at +-6 sd by construction.
  double normal(double mean, double sd) {
    double s = 0;
    for (int i = 0; i < 12; ++i) s += u01();
    return mean + sd * (s - 6.0);
  }
  template <class T>
  const T& pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(uniformInt(0, static_cast<int>(v.size()) - 1))];
  }
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (int i = static_cast<int>(v.size()) - 1; i > 0; --i) {
      int j = uniformInt(0, i);
      std::swap(v[static_cast<std::size_t>(i)], v[static_cast<std::size_t>(j)]);
    }
  }

 private:
  std::mt19937_64 gen_;
};

// splitmix64 finaliser, used to derive independent seeds (e.g. for pixel noise).
std::uint64_t mix64(std::uint64_t x);

// A number as written into a DS (or FD) attribute: the text with a fixed number of
// decimals, and the double that text parses to. The truth always uses `v`, so truth and
// file agree exactly.
struct Num {
  std::string s;
  double v = 0.0;
};
Num fmtNum(double value, int decimals);
// Backslash-joined multi-valued DS with fixed decimals.
std::string dsMulti(const std::vector<double>& values, int decimals);

// Calendar: days since 1970-01-01 (proleptic Gregorian).
long daysFromCivil(int y, int m, int d);
void civilFromDays(long days, int& y, int& m, int& d);
bool parseIsoDate(const std::string& text, long& days);  // YYYY-MM-DD

// Absolute timestamps in seconds since 1970-01-01T00:00:00 (no time zones, no leap seconds).
using Stamp = long long;
inline Stamp stampOf(long day, int secOfDay) { return static_cast<Stamp>(day) * 86400 + secOfDay; }
std::string dicomDate(Stamp t);      // YYYYMMDD
std::string dicomTime(Stamp t);      // HHMMSS
std::string dicomDateTime(Stamp t);  // YYYYMMDDHHMMSS
std::string isoDate(Stamp t);        // YYYY-MM-DD
std::string isoTime(Stamp t);        // HH:MM:SS
std::string isoDateTime(Stamp t);    // YYYY-MM-DDTHH:MM:SS
// Age string (AS) such as "045Y" for a birth date (YYYYMMDD) at a given day.
std::string dicomAge(const std::string& birthYYYYMMDD, long atDay);

// Character sets.
bool isAscii(const std::string& s);
// UTF-8 -> ISO 8859-1; false if some code point is above U+00FF (or the input is malformed).
bool utf8ToLatin1(const std::string& utf8, std::string& latin1);
// Encodes a UTF-8 string for a dataset whose SpecificCharacterSet is `charset`
// ("", "ISO_IR 100" or "ISO_IR 192"); throws if it cannot be represented.
std::string encodeFor(const std::string& utf8, const std::string& charset);

std::string zeroPad(long value, int width);

}  // namespace fleetgen
