// The inline style sheet of index.html (report/html): kept apart from the page's structure.
#pragma once

namespace dicomlake::report {

// CSS for the laptop, the phone and A4 print; system fonts only, nothing fetched.
const char* html_style();

}  // namespace dicomlake::report
