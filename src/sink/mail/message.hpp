// A MIME message (RFC 5322 / 2045-2047): multipart/mixed [ multipart/related [
// multipart/alternative [ text/plain, text/html ], inline images by Content-ID ], attachments ].
#pragma once

#include <string>
#include <vector>

namespace dicomlake::sink::mail {

struct Part {
    std::string filename;      // attachments: the file name shown; inline images: may be empty
    std::string content_type;  // "image/png", "text/html; charset=utf-8", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    std::string content_id;    // inline images: without angle brackets, e.g. "nex_trend@dicomlake"
    std::string bytes;
};

struct Message {
    std::string from;
    std::vector<std::string> to;
    std::string subject;       // UTF-8; encoded-word when not ASCII
    std::string text;          // UTF-8 plain text part
    std::string html;          // UTF-8 HTML part
    std::vector<Part> inline_images;
    std::vector<Part> attachments;
};

// The complete message text with headers (Date, Message-ID, MIME-Version...), CRLF line ends,
// base64 bodies wrapped at 76 columns. `date` and `message_id` are parameters so that the
// output is deterministic in tests.
std::string render(const Message& message, const std::string& date_rfc5322, const std::string& message_id);

}  // namespace dicomlake::sink::mail
