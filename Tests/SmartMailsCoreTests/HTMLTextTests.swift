import SmartMailsCore
import Testing

/// The text part made from a template's HTML reads like the HTML does in a mail client.
@Suite struct HTMLTextTests {
    @Test func paragraphsHeadingsAndBreaksBecomeLines() {
        let html = "<h1>Your order</h1><p>Thanks,\n   Ada!</p><p>Line one<br>line two<br/><br>after a gap</p>"
        #expect(HTMLText.plainText(fromHTML: html) == "Your order\n\nThanks, Ada!\n\nLine one\nline two\n\nafter a gap")
    }

    @Test func linksAreSpelledOutAndPageAnchorsAreNot() {
        let html = #"<p>See <a href="https://shop.example/o/1?a=1&amp;b=2">your order</a> or <a href='#top'>top</a>.</p>"#
        #expect(HTMLText.plainText(fromHTML: html) == "See your order (https://shop.example/o/1?a=1&b=2) or top.")
    }

    @Test func listsAndTablesKeepTheirShape() {
        let html = "<ul><li>One</li><li>Two</li></ul><table><tr><td>Total</td><td>€ 12</td></tr><tr><td>VAT</td><td>2</td></tr></table>"
        #expect(HTMLText.plainText(fromHTML: html) == "- One\n- Two\n\nTotal € 12\nVAT 2")
    }

    @Test func scriptsStylesTheHeadAndCommentsLeaveNothing() {
        let html = """
        <html><head><title>Hidden</title><style>p { color: red }</style></head>
        <body><!-- a <p>comment</p> --><script>alert("x")</script><SCRIPT>more()</SCRIPT><p>Shown</p></body></html>
        """
        #expect(HTMLText.plainText(fromHTML: html) == "Shown")
    }

    @Test func entitiesAreDecodedAndBrokenOnesKept() {
        let html = "<p>Fish &amp; chips &lt;3 &#233;t&#xE9; &nbsp;&mdash; AT&T &bogus; &#0;</p>"
        #expect(HTMLText.plainText(fromHTML: html) == "Fish & chips <3 été — AT&T &bogus; &#0;")
    }

    @Test func preformattedTextKeepsItsSpacing() {
        let html = "<p>Code:</p><pre>let a = 1\n    b</pre><p>done</p>"
        #expect(HTMLText.plainText(fromHTML: html) == "Code:\n\nlet a = 1\n    b\n\ndone")
    }

    @Test func aLoneLessThanIsTextAndAnUnclosedTagIsDropped() {
        #expect(HTMLText.plainText(fromHTML: "1 < 2 and 3 > 2") == "1 < 2 and 3 > 2")
        #expect(HTMLText.plainText(fromHTML: "text <b") == "text <b")
        #expect(HTMLText.plainText(fromHTML: "") == "")
    }
}
