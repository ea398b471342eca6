<?xml version="1.0" encoding="UTF-8"?>
<!--
  Shows an Atom or RSS feed as a readable page when someone opens it in a browser.
  Feed readers ignore this file. The feeds reference it with <?xml-stylesheet?> (plugins/feeds).
  Pure XSLT 1.0 and CSS: no script, nothing loaded from elsewhere.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">

  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="atom:feed">
        <xsl:call-template name="page">
          <xsl:with-param name="format">Atom</xsl:with-param>
          <xsl:with-param name="title" select="atom:feed/atom:title"/>
          <xsl:with-param name="subtitle" select="atom:feed/atom:subtitle"/>
          <xsl:with-param name="lang" select="atom:feed/@xml:lang"/>
          <xsl:with-param name="self" select="atom:feed/atom:link[@rel='self']/@href"/>
          <xsl:with-param name="home" select="atom:feed/atom:link[@rel='alternate']/@href"/>
          <xsl:with-param name="count" select="count(atom:feed/atom:entry)"/>
          <xsl:with-param name="icon" select="atom:feed/atom:icon"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="page">
          <xsl:with-param name="format">RSS</xsl:with-param>
          <xsl:with-param name="title" select="rss/channel/title"/>
          <xsl:with-param name="subtitle" select="rss/channel/description"/>
          <xsl:with-param name="lang" select="rss/channel/language"/>
          <xsl:with-param name="self" select="rss/channel/atom:link[@rel='self']/@href"/>
          <xsl:with-param name="home" select="rss/channel/link"/>
          <xsl:with-param name="count" select="count(rss/channel/item)"/>
          <xsl:with-param name="icon" select="rss/channel/image/url"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="page">
    <xsl:param name="format"/>
    <xsl:param name="title"/>
    <xsl:param name="subtitle"/>
    <xsl:param name="lang"/>
    <xsl:param name="self"/>
    <xsl:param name="home"/>
    <xsl:param name="count"/>
    <xsl:param name="icon"/>
    <html lang="{$lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <xsl:if test="$icon"><link rel="icon" href="{$icon}"/></xsl:if>
        <title><xsl:value-of select="$title"/> · <xsl:value-of select="$format"/> feed</title>
        <style>
          /* The theme's palette (theme/static/css/site.css), light and dark. */
          :root { color-scheme: light dark; --ink: #1b1d21; --muted: #586069; --paper: #f5f4f0;
                  --card: #ffffff; --line: #e2e0da; --accent: #0b6b66; --focus: #b8410a;
                  --badge: #fdf1cf; --badge-ink: #5f4200; }
          @media (prefers-color-scheme: dark) {
            :root { --ink: #e8e6e1; --muted: #a4abb4; --paper: #131518; --card: #1b1e22;
                    --line: #2d3137; --accent: #62cdc3; --focus: #ffb070; --badge: #3a2f0f;
                    --badge-ink: #ffdc8f; } }
          * { box-sizing: border-box; }
          body { margin: 0; background: var(--paper); color: var(--ink);
                 font: 1.0625rem/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
          .wrap { max-width: 44rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
          a { color: var(--accent); text-underline-offset: 0.15em; }
          a:focus-visible, input:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
          .badge img { vertical-align: -4px; margin-right: 0.35rem; border-radius: 4px; }
          .badge { display: inline-block; margin: 0; padding: 0.15rem 0.6rem; border-radius: 999px;
                   background: var(--badge); color: var(--badge-ink); font-size: 0.875rem; font-weight: 600; }
          h1 { font-size: 2rem; line-height: 1.2; margin: 0.75rem 0 0.25rem; }
          h2 { font-size: 1.25rem; margin: 0 0 0.5rem; }
          h3 { font-size: 1.125rem; margin: 0; }
          .lede { color: var(--muted); margin: 0; }
          .about { margin: 2rem 0; padding: 1.25rem; border: 1px solid var(--line);
                   border-radius: 0.75rem; background: var(--card); }
          .about p { margin: 0 0 0.75rem; }
          label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
          input { width: 100%; padding: 0.6rem 0.75rem; border: 1px solid var(--line);
                  border-radius: 0.5rem; background: var(--paper); color: var(--ink); font: inherit;
                  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
                  font-size: 0.9375rem; }
          ol { list-style: none; margin: 0; padding: 0; }
          li { padding: 1rem 0; border-bottom: 1px solid var(--line); }
          .meta { color: var(--muted); font-size: 0.9375rem; margin: 0.15rem 0 0.35rem; }
          .summary { margin: 0; }
        </style>
      </head>
      <body>
        <div class="wrap">
          <header>
            <p class="badge">
              <xsl:if test="$icon"><img src="{$icon}" alt="" width="20" height="20"/></xsl:if>
              <xsl:value-of select="$format"/> feed</p>
            <h1><xsl:value-of select="$title"/></h1>
            <xsl:if test="string($subtitle) != string($title)">
              <p class="lede"><xsl:value-of select="$subtitle"/></p>
            </xsl:if>
          </header>
          <main>
            <section class="about" aria-labelledby="about-title">
              <h2 id="about-title">What is a feed?</h2>
              <p>This is a web feed: the newest articles in a form that feed reader apps
                understand. Follow <xsl:value-of select="$title"/> by pasting the address below
                into a feed reader (NetNewsWire, Feedly, Inoreader, Thunderbird and many more).
                New articles then reach you there, with no account and no e-mail address.</p>
              <label for="feed-address">Feed address to subscribe to</label>
              <input id="feed-address" type="text" readonly="readonly" value="{$self}"
                     aria-describedby="about-title"/>
              <p style="margin: 0.75rem 0 0"><a href="{$home}">Read the articles on the site</a></p>
            </section>
            <section aria-labelledby="latest-title">
              <h2 id="latest-title">Latest articles (<xsl:value-of select="$count"/>)</h2>
              <xsl:choose>
                <xsl:when test="$count = 0"><p>No articles yet.</p></xsl:when>
                <xsl:otherwise>
                  <ol>
                    <xsl:apply-templates select="atom:feed/atom:entry | rss/channel/item"/>
                  </ol>
                </xsl:otherwise>
              </xsl:choose>
            </section>
          </main>
        </div>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <xsl:call-template name="entry">
      <xsl:with-param name="title" select="atom:title"/>
      <xsl:with-param name="href" select="atom:link[@rel='alternate']/@href"/>
      <xsl:with-param name="datetime" select="atom:published"/>
      <xsl:with-param name="date" select="substring(atom:published, 1, 10)"/>
      <xsl:with-param name="summary" select="atom:summary"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template match="item">
    <xsl:call-template name="entry">
      <xsl:with-param name="title" select="title"/>
      <xsl:with-param name="href" select="link"/>
      <xsl:with-param name="datetime" select="''"/>
      <xsl:with-param name="date" select="substring(pubDate, 6, 11)"/>
      <!-- RSS descriptions are HTML-escaped text (plugins/feeds): undo &lt; &gt; &amp; to show it. -->
      <xsl:with-param name="summary">
        <xsl:call-template name="replace">
          <xsl:with-param name="text">
            <xsl:call-template name="replace">
              <xsl:with-param name="text">
                <xsl:call-template name="replace">
                  <xsl:with-param name="text" select="description"/>
                  <xsl:with-param name="from" select="'&amp;lt;'"/>
                  <xsl:with-param name="to" select="'&lt;'"/>
                </xsl:call-template>
              </xsl:with-param>
              <xsl:with-param name="from" select="'&amp;gt;'"/>
              <xsl:with-param name="to" select="'&gt;'"/>
            </xsl:call-template>
          </xsl:with-param>
          <xsl:with-param name="from" select="'&amp;amp;'"/>
          <xsl:with-param name="to" select="'&amp;'"/>
        </xsl:call-template>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="entry">
    <xsl:param name="title"/>
    <xsl:param name="href"/>
    <xsl:param name="datetime"/>
    <xsl:param name="date"/>
    <xsl:param name="summary"/>
    <li>
      <article>
        <h3><a href="{$href}"><xsl:value-of select="$title"/></a></h3>
        <p class="meta">
          <xsl:choose>
            <xsl:when test="$datetime != ''">
              <time datetime="{$datetime}"><xsl:value-of select="$date"/></time>
            </xsl:when>
            <xsl:otherwise><xsl:value-of select="$date"/></xsl:otherwise>
          </xsl:choose>
        </p>
        <xsl:if test="string($summary) != ''">
          <p class="summary"><xsl:value-of select="$summary"/></p>
        </xsl:if>
      </article>
    </li>
  </xsl:template>

  <xsl:template name="replace">
    <xsl:param name="text"/>
    <xsl:param name="from"/>
    <xsl:param name="to"/>
    <xsl:choose>
      <xsl:when test="contains($text, $from)">
        <xsl:value-of select="substring-before($text, $from)"/>
        <xsl:value-of select="$to"/>
        <xsl:call-template name="replace">
          <xsl:with-param name="text" select="substring-after($text, $from)"/>
          <xsl:with-param name="from" select="$from"/>
          <xsl:with-param name="to" select="$to"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
