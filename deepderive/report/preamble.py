r"""The LaTeX preamble every report starts with: packages, colours and the layout macros.

Only packages from Debian's texlive-latex-base and texlive-latex-recommended are used (amsmath,
mathtools, graphicx, booktabs, xcolor, textcomp, listings, longtable, geometry, hyperref). ``\ddfit`` scales down an
equation only when the width estimate of :mod:`.width` was wrong, so nothing runs off the page.
"""

LINE_EM = 41.0          # usable line width in em (A4, 2.3 cm margins, 11 pt): the geometry below

# The page geometry and the listing frame, in TeX points (72.27 pt = 1 in); the preamble below is written from them.
PT_PER_CM = 72.27 / 2.54
PAPER_WIDTH_PT = 21.0 * PT_PER_CM                 # A4
MARGIN_CM = 2.3
TEXT_WIDTH_PT = PAPER_WIDTH_PT - 2 * MARGIN_CM * PT_PER_CM     # \textwidth: 466.625 pt
LISTING_MARGIN_PT = 3.6                           # lstset xleftmargin = xrightmargin (the frame sits in them)
LISTING_FRAMESEP_PT = 3.0                         # lstset framesep; framerule is the default 0.4 pt
LISTING_FONT = r"\ttfamily\footnotesize"          # 9 pt in an 11 pt article: cmtt9
#: cmtt9's glyph width, from cmtt9.tfm (CHARWD R 0.524994 design sizes; design size 9 pt): monospaced, so
#: columns=fullflexible sets every character this wide
LISTING_CHAR_PT = 0.524994 * 9.0
#: characters a listing line holds before listings breaks it (with a hook-arrow): (466.625 - 7.2) / 4.725 = 97.2
LISTING_COLUMNS = int((TEXT_WIDTH_PT - 2 * LISTING_MARGIN_PT) // LISTING_CHAR_PT)

PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
% Reproducible PDF: no dates, no trailer id, no pdfTeX banner or file names.
\ifdefined\pdfinfoomitdate\pdfinfoomitdate=1\fi
\ifdefined\pdftrailerid\pdftrailerid{}\fi
\ifdefined\pdfsuppressptexinfo\pdfsuppressptexinfo=-1\fi
\usepackage[margin=@MARGIN@cm]{geometry}
\usepackage{amsmath}
\usepackage{amssymb}
\usepackage{mathtools}
\usepackage{graphicx}
\usepackage{booktabs}
\usepackage{xcolor}
\usepackage{textcomp}   % upright quotes in listings (upquote below): code copied from the PDF runs
\usepackage{listings}
\usepackage{longtable}  % (tools, in texlive-latex-base) a table whose rows flow across pages
\usepackage[hidelinks,bookmarksnumbered]{hyperref}
\allowdisplaybreaks
% Headings set ragged right and never hyphenated: a justified heading stretched its spaces across the line, and
% "opti-/miser" was split over two lines (the classes' own sizes and spacing, only \raggedright and the penalties added)
\makeatletter
\newcommand{\ddheadfont}{\raggedright\hyphenpenalty=10000 \exhyphenpenalty=10000 }
\renewcommand\section{\@startsection{section}{1}{\z@}{-3.5ex \@plus -1ex \@minus -.2ex}{2.3ex \@plus.2ex}%
  {\normalfont\Large\bfseries\ddheadfont}}
\renewcommand\subsection{\@startsection{subsection}{2}{\z@}{-3.25ex\@plus -1ex \@minus -.2ex}{1.5ex \@plus .2ex}%
  {\normalfont\large\bfseries\ddheadfont}}
\renewcommand\subsubsection{\@startsection{subsubsection}{3}{\z@}{-3.25ex\@plus -1ex \@minus -.2ex}%
  {1.5ex \@plus .2ex}{\normalfont\normalsize\bfseries\ddheadfont}}
% the indicator: statements write \mathbb{1}, which amssymb's blackboard font has no glyph for (it printed a
% different symbol); a bold 1 there, every other \mathbb{...} unchanged
\let\dd@mathbb\mathbb
\def\dd@one{1}
\renewcommand{\mathbb}[1]{\def\dd@arg{#1}\ifx\dd@arg\dd@one\mathbf{1}\else\dd@mathbb{#1}\fi}
\makeatother
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt plus 1pt}
\definecolor{ddproved}{RGB}{0,125,55}
\definecolor{ddchecked}{RGB}{205,125,0}
\definecolor{ddfailed}{RGB}{205,25,25}
\definecolor{ddgray}{gray}{0.42}
\definecolor{ddcode}{gray}{0.965}
% status markers
\newcommand{\ddmark}[2]{{\setlength{\fboxsep}{1.6pt}\fcolorbox{#1}{#1!10}{\textcolor{#1!85!black}{\small\bfseries #2}}}}
\newcommand{\StatusProved}{\ddmark{ddproved}{$\surd$ proved}}
\newcommand{\StatusChecked}{\ddmark{ddchecked}{$\approx$ checked numerically --- not proved}}
\newcommand{\StatusFailed}{\ddmark{ddfailed}{$\times$ FAILED}}
\newcommand{\CheckPass}{\textcolor{ddproved!85!black}{\bfseries pass}}
\newcommand{\CheckFail}{\textcolor{ddfailed}{\bfseries FAIL}}
% long inline formulas with few break points (a statement, a justification): stretch the spaces of a line
% rather than run the formula into the margin (the book sets the same)
\tolerance=4000 \emergencystretch=5em
\newcommand{\ddrr}{\raggedright\let\\\tabularnewline}  % ragged-right table cell (no array package)
\newcommand{\ddeqfailed}{\mathrel{\textcolor{ddfailed}{\overset{?}{=}}}}
\newcommand{\ddeqchecked}{\mathrel{\textcolor{ddchecked}{=}}}
% \ddfit{max width}{math}: display-style math, scaled down only if wider than the given width
\newsavebox{\ddbox}
\newlength{\ddlhswd}
\newcommand{\ddfit}[2]{\sbox{\ddbox}{$\displaystyle #2$}%
  \ifdim\wd\ddbox>#1\relax\resizebox{#1}{!}{\usebox{\ddbox}}\else\usebox{\ddbox}\fi}
% the first lhs of a chain on the same line as its rhs (records its width for the rhs budget)
\newcommand{\ddlhs}[1]{\sbox{\ddbox}{$\displaystyle #1$}%
  \ifdim\wd\ddbox>0.45\linewidth\global\ddlhswd=0.45\linewidth\resizebox{0.45\linewidth}{!}{\usebox{\ddbox}}%
  \else\global\ddlhswd=\wd\ddbox\usebox{\ddbox}\fi}
% a long first lhs on a line of its own (after \MoveEqLeft); the chain is indented by 2em below it
\newcommand{\ddlong}[1]{\global\ddlhswd=2em\ddfit{\linewidth}{#1}}
\newcommand{\ddrhs}[1]{\ddfit{\dimexpr\linewidth-\ddlhswd-3em\relax}{#1}}
% a step's justification, status and how it was established, under its equation
% (\leftskip, not \hangindent: the status box's \vbox would reset \hangindent)
% (ragged right: a justification with a long unbreakable formula would otherwise run into the margin)
\newcommand{\ddstep}[3]{\par{\small\leftskip=2.6em\rightskip=0pt plus 3em\noindent\llap{\makebox[2.6em][l]{\bfseries(#1)}}#2\enspace #3\par}}
\newcommand{\dddetail}[1]{{\scriptsize\color{ddgray}\leftskip=2.6em\noindent #1\par}}
\newcommand{\ddneedspace}[1]{\par\ifdim\dimexpr\pagegoal-\pagetotal\relax<#1\relax\newpage\fi}
\newcommand{\ddnote}[1]{\par{\small\raggedright\color{ddgray}#1\par}}
% what a chain derives, above its equations
\newcommand{\ddchainhead}[1]{\par{\small\color{ddgray}#1\par}\nopagebreak}
% a row of a chain that only rewrites the previous right side with the definitions (not a step)
\newcommand{\dddefrow}{{\scriptsize\color{ddgray}\leftskip=2.6em\noindent(the previous right side, written with the definitions)\par}}
% problems of the derivation as a whole (bad definitions, results not backed by a proved chain)
\newcommand{\ddproblems}[1]{\par\noindent\fcolorbox{ddfailed}{ddfailed!6}{\begin{minipage}{\dimexpr\linewidth-2\fboxsep-2\fboxrule\relax}
  \small{\color{ddfailed}\bfseries $\times$ FAILED: problems with the derivation as a whole}\par #1\end{minipage}}\par}
% tighter displays: a derivation is mostly displays
\makeatletter
\g@addto@macro\normalsize{\setlength\abovedisplayskip{7pt plus 2pt minus 2pt}%
  \setlength\belowdisplayskip{5pt plus 2pt minus 2pt}%
  \setlength\abovedisplayshortskip{3pt plus 2pt}\setlength\belowdisplayshortskip{4pt plus 2pt}}
\makeatother
\lstset{language=Python, basicstyle=@LISTINGFONT@, columns=fullflexible, keepspaces=true,
  breaklines=true, breakatwhitespace=false, showstringspaces=false,
  frame=single, rulecolor=\color{black!25}, backgroundcolor=\color{ddcode}, framesep=@FRAMESEP@pt,
  xleftmargin=@LMARGIN@pt, xrightmargin=@LMARGIN@pt,
  keywordstyle=\color{blue!60!black}, commentstyle=\color{ddgray}, stringstyle=\color{green!35!black},
  postbreak=\mbox{\textcolor{ddgray}{$\hookrightarrow$}\space}, extendedchars=false, upquote=true}
"""
PREAMBLE = (PREAMBLE.replace("@MARGIN@", f"{MARGIN_CM:g}").replace("@LISTINGFONT@", LISTING_FONT)
            .replace("@FRAMESEP@", f"{LISTING_FRAMESEP_PT:g}").replace("@LMARGIN@", f"{LISTING_MARGIN_PT:g}"))
