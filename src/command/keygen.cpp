#include <cstdio>

#include "command/command.hpp"
#include "deid/pseudonym.hpp"

namespace dicomlake::command {

int keygen() {
    std::printf("%s\n", deid::generate_key().c_str());
    return 0;
}

}  // namespace dicomlake::command
