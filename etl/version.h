/* version.h - walidata's version, shown by `walidata version` and recorded with every run. */
#ifndef WD_VERSION_H
#define WD_VERSION_H

#define WD_VERSION "0.3.0"

#endif
