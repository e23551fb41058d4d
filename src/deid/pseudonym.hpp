// Keyed, stateless pseudonyms (HMAC-SHA256, OpenSSL). The same input and key give the same
// pseudonym on every run and every machine; without the key nobody can test a candidate value.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dicomlake::deid {

// One key per purpose, derived from the secret, so a pseudonym of one kind can never be
// matched against a pseudonym of another kind.
// study_patient: the pseudo-patient of a study without PatientID (its key and date offset).
// ledger: names a study in the run ledger so that ledger times (when a study was loaded or
// failed) cannot be joined to its rows without the key.
enum class Purpose { uid, patient, accession, date, activity, seal, study_patient, ledger };
inline constexpr size_t kPurposeCount = static_cast<size_t>(Purpose::ledger) + 1;

class Pseudonymizer {
public:
    // `secret` is the raw key material (key file or environment); never from the command line.
    Pseudonymizer(std::string_view secret, int key_version);

    // "2.25." + the decimal of 128 HMAC bits (UUID version 8 / RFC 4122 variant bits set).
    // Well-known DICOM UIDs (1.2.840.10008.*: SOP classes, transfer syntaxes) pass unchanged.
    std::string uid(std::string_view original) const;

    // A short hex token for identifiers that are not UIDs (patient with issuer, accession).
    std::string token(Purpose purpose, std::string_view value) const;

    // Raw 32-byte HMAC under the purpose key (for derived values such as date offsets).
    std::array<unsigned char, 32> mac(Purpose purpose, std::string_view value) const;

    // AES-256-GCM under the seal key: for values dicomlake must keep but nobody should read
    // (a loaded study's real date, to find the studies a PACS no longer has). Hex text.
    std::string seal(std::string_view plaintext) const;
    // The plaintext, or nullopt when `sealed` was not made with this key (or was altered).
    std::optional<std::string> unseal(std::string_view sealed) const;

    int key_version() const { return key_version_; }
    // Unique per object for the life of the process (cache keys: addresses can be reused).
    std::uint64_t instance_id() const { return instance_id_; }

private:
    std::uint64_t instance_id_;
    std::array<std::array<unsigned char, 32>, kPurposeCount> keys_{};
    int key_version_;
};

// Hex of 32 random bytes, for `dicomlake keygen`.
std::string generate_key();

}  // namespace dicomlake::deid
