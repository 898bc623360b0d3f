# What `cmake --install` puts where (GNUInstallDirs: /usr/local by
# default, /usr for the Debian package). Included from CMakeLists.txt.
#
#   bin/digest
#   share/digest/templates/      default [digest] templates (compiled in)
#   share/digest/demo/           the recorded demo tenant and its roster
#   share/doc/digest/            README, digest.toml.example, alert rules
#   share/man/man1, man5         digest(1), digest.toml(5)
#   share/bash-completion/completions/digest
#   lib/systemd/system/          digest.service, digest.timer,
#                                digest-serve.service (when `serve` exists)
#   /etc/digest/digest.toml      the example with installed paths
#                                (DIGEST_INSTALL_CONFIG, on for the package)

set(DIGEST_DATADIR ${CMAKE_INSTALL_DATADIR}/digest)
set(DIGEST_FULL_DATADIR ${CMAKE_INSTALL_FULL_DATADIR}/digest)
set(DIGEST_CONFIG_FILE ${CMAKE_INSTALL_FULL_SYSCONFDIR}/digest/digest.toml)
set(DIGEST_SECRETS_ENV ${CMAKE_INSTALL_FULL_SYSCONFDIR}/digest/secrets.env)
set(DIGEST_SYSTEMD_UNITDIR lib/systemd/system CACHE STRING
	"where the systemd units go (relative: under the install prefix)")
# The Debian package: the config in /etc/digest, units in /lib (where
# bookworm's lintian wants them), and the CPack settings.
option(DIGEST_PACKAGE "Build the Debian package with cpack" OFF)
if(DIGEST_PACKAGE)
	set(DIGEST_SYSTEMD_UNITDIR /lib/systemd/system CACHE STRING "" FORCE)
endif()
option(DIGEST_INSTALL_CONFIG
	"Install the configuration into ${CMAKE_INSTALL_FULL_SYSCONFDIR}/digest"
	${DIGEST_PACKAGE})

install(TARGETS digest)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/templates/
	DESTINATION ${DIGEST_DATADIR}/templates)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/fixtures/demo/
	DESTINATION ${DIGEST_DATADIR}/demo)
install(FILES ${CMAKE_SOURCE_DIR}/README.md
	${CMAKE_SOURCE_DIR}/digest.toml.example
	${CMAKE_SOURCE_DIR}/dist/prometheus/digest.rules.yml
	DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/dist/bash-completion/digest
	DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

# Man pages, compressed as Debian wants them (-n: no timestamp inside).
set(DIGEST_MANPAGES doc/digest.1 doc/digest.toml.5)
foreach(page ${DIGEST_MANPAGES})
	get_filename_component(name ${page} NAME)
	string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${name})
	add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/man/${name}.gz
		COMMAND ${CMAKE_COMMAND} -E make_directory
			${CMAKE_BINARY_DIR}/man
		COMMAND gzip -9nc ${CMAKE_SOURCE_DIR}/${page}
			> ${CMAKE_BINARY_DIR}/man/${name}.gz
		DEPENDS ${CMAKE_SOURCE_DIR}/${page} VERBATIM)
	list(APPEND DIGEST_MAN_GZ ${CMAKE_BINARY_DIR}/man/${name}.gz)
	install(FILES ${CMAKE_BINARY_DIR}/man/${name}.gz
		DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
add_custom_target(manpages ALL DEPENDS ${DIGEST_MAN_GZ})

# systemd units with this install's paths.
configure_file(${CMAKE_SOURCE_DIR}/dist/systemd/digest.service.in
	${CMAKE_BINARY_DIR}/systemd/digest.service @ONLY)
configure_file(${CMAKE_SOURCE_DIR}/dist/systemd/digest.timer
	${CMAKE_BINARY_DIR}/systemd/digest.timer COPYONLY)
set(DIGEST_UNITS ${CMAKE_BINARY_DIR}/systemd/digest.service
	${CMAKE_BINARY_DIR}/systemd/digest.timer)
if(EXISTS ${CMAKE_SOURCE_DIR}/cmd/serve.c)
	configure_file(${CMAKE_SOURCE_DIR}/dist/systemd/digest-serve.service.in
		${CMAKE_BINARY_DIR}/systemd/digest-serve.service @ONLY)
	list(APPEND DIGEST_UNITS ${CMAKE_BINARY_DIR}/systemd/digest-serve.service)
endif()
install(FILES ${DIGEST_UNITS} DESTINATION ${DIGEST_SYSTEMD_UNITDIR})

# The installed configuration: the example, with its demo paths pointed
# at the installed demo and the database in /var/lib/digest, and no
# templates key (the compiled-in default finds the installed ones).
function(digest_installed_config out)
	file(READ ${CMAKE_SOURCE_DIR}/digest.toml.example text)
	set(pairs
		"path = \"digest.db\"|path = \"/var/lib/digest/digest.db\""
		"path = \"fixtures/demo\"|path = \"${DIGEST_FULL_DATADIR}/demo\""
		"file = \"fixtures/demo/roster.csv\"|file = \"${DIGEST_FULL_DATADIR}/demo/roster.csv\""
		"# This example runs from the source tree, so it names that tree's folder.\n|"
		"\ntemplates = \"templates\"|\n# templates = \"${DIGEST_FULL_DATADIR}/templates\"")
	foreach(pair ${pairs})
		string(REPLACE "|" ";" pair "${pair}")
		list(GET pair 0 from)
		list(GET pair 1 to)
		string(FIND "${text}" "${from}" at)
		if(at EQUAL -1)
			message(FATAL_ERROR "digest.toml.example has no '${from}' "
				"any more: update dist/install.cmake")
		endif()
		string(REPLACE "${from}" "${to}" text "${text}")
	endforeach()
	file(WRITE ${out} "${text}")
endfunction()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
	${CMAKE_SOURCE_DIR}/digest.toml.example)
digest_installed_config(${CMAKE_BINARY_DIR}/etc/digest.toml)
if(DIGEST_INSTALL_CONFIG)
	install(FILES ${CMAKE_BINARY_DIR}/etc/digest.toml
		DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/digest)
endif()

if(DIGEST_PACKAGE)
	include(${CMAKE_SOURCE_DIR}/dist/cpack.cmake)
endif()
