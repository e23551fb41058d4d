// Masks credentials in text we did not write (libpq and libcurl errors, URLs, exception texts)
// before it becomes one of our messages, a log line or a ledger entry. Applied at every
// boundary where an external library's text enters dicomlake, and once more where messages
// leave the process (the top-level error handler, the log formatter), so one missed boundary
// does not leak.
#pragma once

#include <string>
#include <string_view>

namespace dicomlake {

// Returns `text` with these replaced by "***":
//  - the password of a URL's userinfo (scheme://user:***@host; a user name alone is kept);
//  - the value of password=... (libpq keyword strings and URI query parameters, quoted or not);
//  - whatever follows "Authorization:" up to the end of the line, and the token after "Bearer ";
//  - every literal occurrence of a registered secret (see register_secret).
std::string redact(std::string_view text);

// Remembers a secret value of this process (password, token, key) so redact() masks it
// wherever it appears. Values shorter than kMinRegisteredSecret are ignored (masking every
// occurrence of a two-letter string would mangle messages and protect nothing).
constexpr size_t kMinRegisteredSecret = 4;
void register_secret(const std::string& value);
void forget_registered_secrets();  // for tests

// True when the authority of `url` holds userinfo (user@ or user:password@).
bool url_has_userinfo(std::string_view url);
// True when `url` carries a password: user:password@ or a password= parameter.
bool url_has_password(std::string_view url);

}  // namespace dicomlake
