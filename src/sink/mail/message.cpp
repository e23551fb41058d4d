#include "sink/mail/message.hpp"

#include <cstdint>
#include <string_view>

namespace dicomlake::sink::mail {

namespace {

constexpr const char* kCrlf = "\r\n";
constexpr size_t kBase64Line = 76;  // RFC 2045 6.8
constexpr size_t kFoldAt = 76;      // header lines are folded near here, far below the 998 limit

// Every body is base64: a base64 line holds only A-Z a-z 0-9 + / =, so it can never be a
// delimiter line ("--" + boundary), whatever the report contains; no scan of the bodies needed.
std::string base64(std::string_view in, size_t wrap) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t column = 0;
    auto put = [&](char c) {
        out += c;
        if (wrap != 0 && ++column == wrap) {
            out += kCrlf;
            column = 0;
        }
    };
    for (size_t i = 0; i < in.size(); i += 3) {
        uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << 16;
        if (i + 1 < in.size()) n |= static_cast<uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
        if (i + 2 < in.size()) n |= static_cast<unsigned char>(in[i + 2]);
        put(kAlphabet[(n >> 18) & 63]);
        put(kAlphabet[(n >> 12) & 63]);
        put(i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=');
        put(i + 2 < in.size() ? kAlphabet[n & 63] : '=');
    }
    if (wrap != 0 && column != 0) out += kCrlf;
    return out;
}

// A header value from the caller must stay one header: CR and LF (and other controls) would
// start a new header line (Bcc: ...) or break the message, so they become spaces.
std::string header_safe(std::string_view value) {
    std::string out(value);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    return out;
}

bool plain_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c > 0x7e) return false;
    return true;
}

// RFC 2047 encoded-words (UTF-8, B), each at most 75 characters, split between UTF-8
// sequences (never inside one), folded one word per line.
std::string encoded_words(std::string_view utf8) {
    constexpr size_t kMaxBytes = 45;  // 60 base64 characters + "=?UTF-8?B??=" = 72
    std::string out;
    size_t start = 0;
    while (start < utf8.size()) {
        size_t end = std::min(start + kMaxBytes, utf8.size());
        while (end < utf8.size() && end > start + 1 && (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) --end;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + base64(utf8.substr(start, end - start), 0) + "?=";
        start = end;
    }
    return out;
}

std::string subject_value(const std::string& subject) {
    std::string s = header_safe(subject);
    // Plain ASCII that fits on a line goes as it is; anything else as encoded-words.
    if (plain_ascii(s) && s.size() <= 900 && s.find("=?") == std::string::npos) return s;
    return encoded_words(s);
}

// "Name <local@domain>" with a name that is not ASCII: the name as encoded-words, the address as is.
std::string mailbox(const std::string& entry) {
    std::string m = header_safe(entry);
    const size_t open = m.rfind('<');
    if (plain_ascii(m) || open == std::string::npos || !plain_ascii(m.substr(open))) return m;
    std::string name = m.substr(0, open);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    return encoded_words(name) + " " + m.substr(open);
}

// Addresses separated by commas, folded so that no line grows past the limit.
std::string address_list(const std::vector<std::string>& addresses, size_t header_name_size) {
    std::string out;
    size_t column = header_name_size + 2;
    for (size_t i = 0; i < addresses.size(); ++i) {
        std::string a = mailbox(addresses[i]);
        if (i > 0) {
            out += ",";
            ++column;
            if (column + a.size() + 1 > kFoldAt) {
                out += "\r\n";
                column = 0;
            }
            out += " ";
            ++column;
        }
        out += a;
        column += a.size();
    }
    return out;
}

std::string percent_encoded(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
            c == '_')
            out += static_cast<char>(c);
        else
            out += {'%', kHex[c >> 4], kHex[c & 15]};
    }
    return out;
}

// `; name="value"` for a short printable ASCII value; otherwise RFC 2231 (UTF-8, percent-encoded),
// split into numbered continuations so that every line stays short.
std::string parameter(const std::string& name, const std::string& raw) {
    const std::string value = header_safe(raw);
    if (plain_ascii(value) && value.size() <= 60 && value.find_first_of("\"\\") == std::string::npos)
        return ";\r\n " + name + "=\"" + value + "\"";
    const std::string encoded = "UTF-8''" + percent_encoded(value);
    constexpr size_t kPiece = 60;
    std::string out;
    size_t index = 0;
    for (size_t start = 0; start < encoded.size(); ++index) {
        size_t end = std::min(start + kPiece, encoded.size());
        // Never split a %XX escape between two pieces.
        if (end < encoded.size() && encoded[end - 1] == '%') end -= 1;
        else if (end < encoded.size() && end >= 2 && encoded[end - 2] == '%') end -= 2;
        out += ";\r\n " + name + "*" + std::to_string(index) + "*=" + encoded.substr(start, end - start);
        start = end;
    }
    return out;
}

struct Entity {
    std::string headers;  // complete header lines, each ending in CRLF
    std::string body;
};

std::string to_text(const Entity& e) { return e.headers + kCrlf + e.body; }

Entity leaf(const std::string& content_type, const std::string& bytes, const std::string& extra_headers = {}) {
    return {"Content-Type: " + header_safe(content_type) + kCrlf + "Content-Transfer-Encoding: base64" + kCrlf +
                extra_headers,
            base64(bytes, kBase64Line)};
}

Entity multipart(const std::string& subtype, const std::string& boundary, const std::vector<Entity>& children,
                 const std::string& extra_parameters = {}) {
    Entity e{"Content-Type: multipart/" + subtype + ";" + extra_parameters + "\r\n boundary=\"" + boundary + "\"" +
                 kCrlf,
             {}};
    for (const Entity& child : children) e.body += "--" + boundary + kCrlf + to_text(child) + kCrlf;
    e.body += "--" + boundary + "--" + kCrlf;
    return e;
}

// FNV-1a: boundaries follow from the Message-ID, so the same message renders to the same bytes.
std::string boundary_for(const std::string& message_id, const char* level) {
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : message_id + "/" + level) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (int shift = 60; shift >= 0; shift -= 4) hex += kHex[(h >> shift) & 15];
    return std::string("=_dicomlake_") + level + "_" + hex;
}

Entity body_text(const Message& m, const std::string& message_id) {
    Entity plain = leaf("text/plain; charset=utf-8", m.text);
    if (m.html.empty()) return plain;
    return multipart("alternative", boundary_for(message_id, "alternative"),
                     {plain, leaf("text/html; charset=utf-8", m.html)});
}

Entity with_images(const Message& m, const std::string& message_id) {
    Entity text = body_text(m, message_id);
    if (m.inline_images.empty()) return text;
    std::vector<Entity> parts{text};
    for (const Part& image : m.inline_images) {
        std::string headers = "Content-ID: <" + header_safe(image.content_id) + ">" + kCrlf + "Content-Disposition: inline";
        if (!image.filename.empty()) headers += parameter("filename", image.filename);
        parts.push_back(leaf(image.content_type, image.bytes, headers + kCrlf));
    }
    const std::string root_type = m.html.empty() ? "text/plain" : "multipart/alternative";
    return multipart("related", boundary_for(message_id, "related"), parts, "\r\n type=\"" + root_type + "\";");
}

Entity with_attachments(const Message& m, const std::string& message_id) {
    Entity inner = with_images(m, message_id);
    if (m.attachments.empty()) return inner;
    std::vector<Entity> parts{inner};
    for (const Part& a : m.attachments)
        parts.push_back(leaf(a.content_type, a.bytes, "Content-Disposition: attachment" + parameter("filename", a.filename) + kCrlf));
    return multipart("mixed", boundary_for(message_id, "mixed"), parts);
}

}  // namespace

std::string render(const Message& message, const std::string& date_rfc5322, const std::string& message_id) {
    std::string id = header_safe(message_id);
    if (id.empty() || id.front() != '<') id = "<" + id + ">";
    const Entity top = with_attachments(message, message_id);
    std::string out;
    out += "From: " + mailbox(message.from) + kCrlf;
    out += "To: " + address_list(message.to, 2) + kCrlf;
    out += "Subject: " + subject_value(message.subject) + kCrlf;
    out += "Date: " + header_safe(date_rfc5322) + kCrlf;
    out += "Message-ID: " + id + kCrlf;
    out += std::string("MIME-Version: 1.0") + kCrlf;
    out += to_text(top);
    return out;
}

}  // namespace dicomlake::sink::mail
