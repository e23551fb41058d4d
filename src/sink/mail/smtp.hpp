// Delivery over SMTP with libcurl: smtp:// with STARTTLS required (unless switched off), or
// smtps://. Transient failures are retried; the final failure is a MailError whose text names
// the server's answer and never a secret.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace dicomlake::sink::mail {

struct SmtpSettings {
    std::string url;              // smtp://host:port or smtps://host:port
    std::string user;             // empty: no AUTH
    std::string password;         // secret
    bool require_tls = true;      // smtp://: STARTTLS required (CURLUSESSL_ALL); false: try it, accept plain
    std::string ca_file;          // custom CA for the server's certificate; empty: the system's
    bool verify_tls = true;
    int attempts = 3;             // tries before giving up, with a growing pause
    int retry_pause_ms = 2000;    // pause after the first failed try; the n-th pause is n times this
    int timeout_s = 60;
};

class MailError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Sends `rendered` (the output of render()) from `from` to every address of `to`.
void send(const SmtpSettings& settings, const std::string& from, const std::vector<std::string>& to,
          const std::string& rendered);

}  // namespace dicomlake::sink::mail
