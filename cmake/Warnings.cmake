# Warnings for the project's own targets only (not for the Debian headers it includes).
function(dicomlake_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
endfunction()
