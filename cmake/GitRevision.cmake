# Writes OUTPUT with the current git revision, at every build, touching the file only
# when the revision changed: `dbtool --version` names the commit it was built from,
# not the one CMake happened to be configured at.
execute_process(COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE revision
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no
  WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE changes
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(revision AND changes)
  set(revision "${revision}+changes")
endif()
set(content "#define DBTOOL_GIT_REVISION \"${revision}\"\n")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} old)
endif()
if(NOT "${old}" STREQUAL "${content}")
  file(WRITE ${OUTPUT} "${content}")
endif()
