# Benchmark task A (issue 3): runs SEC on event time.  SEC's windows use
# Perl's time(), the wall clock, so a day of log replayed in seconds would
# fall into one window.  Loaded with `perl -I DIR -MSecEventTime
# /usr/bin/sec ...`, this replaces time() for all of SEC with the stamp of
# the line being processed, which the first rule of sshd-bruteforce.sec
# hands over through set().  RFC 3164 stamps carry no year or zone: the
# current year and UTC are assumed (run with TZ=UTC), as the other tools do.
package SecEventTime;
use strict;
use warnings;
use Time::Local qw(timegm);

our $now;
my %mon = (Jan => 0, Feb => 1, Mar => 2, Apr => 3, May => 4, Jun => 5,
	Jul => 6, Aug => 7, Sep => 8, Oct => 9, Nov => 10, Dec => 11);
my $year = (gmtime())[5] + 1900;
my %day; # "Mon DD" -> epoch of its midnight

BEGIN {
	*CORE::GLOBAL::time = sub () { defined $now ? $now : CORE::time() };
}

# Called from a PerlFunc pattern with the input line; never matches.
sub set {
	if ($_[0] =~ /^(?:<\d+>)?(\w{3}) +(\d+) (\d\d):(\d\d):(\d\d) /) {
		my $d = $day{"$1 $2"} //= timegm(0, 0, 0, $2, $mon{$1}, $year);
		$now = $d + $3 * 3600 + $4 * 60 + $5;
	}
	return 0;
}

1;
