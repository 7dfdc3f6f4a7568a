using System.Text;
using Voxora.Server.Features.Attachments;

namespace Voxora.Server.Tests.Unit;

public class MediaRulesTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16];

    [Fact]
    public void Sniffing_accepts_real_magic_numbers()
    {
        Assert.True(MediaRules.Sniff("image/png", Png));
        Assert.True(MediaRules.Sniff("image/jpeg", Jpeg));
        Assert.True(MediaRules.Sniff("image/gif", "GIF89a\x01\0"u8));
        Assert.True(MediaRules.Sniff("image/webp", "RIFF\0\0\0\0WEBPVP8 "u8));
        Assert.True(MediaRules.Sniff("audio/wav", "RIFF\0\0\0\0WAVEfmt "u8));
        Assert.True(MediaRules.Sniff("video/mp4", "\0\0\0\u0018ftypmp42"u8));
        Assert.True(MediaRules.Sniff("application/pdf", "%PDF-1.7\n"u8));
        Assert.True(MediaRules.Sniff("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\x03\x04rest"u8));
        Assert.True(MediaRules.Sniff("text/plain", "just words < and > inside\n"u8));
        Assert.True(MediaRules.Sniff("text/csv", "\uFEFFa,b\n1,2"u8));
    }

    [Theory]
    [InlineData("image/png", "<!DOCTYPE html><script>alert(1)</script>")]
    [InlineData("image/png", "<svg xmlns='http://www.w3.org/2000/svg'/>")]
    [InlineData("image/jpeg", "<html>")]
    [InlineData("image/webp", "RIFF\0\0\0\0WAVE")]
    [InlineData("text/plain", "<!doctype html><p>hi")]
    [InlineData("text/plain", "  \n<SVG onload=alert(1)>")]
    [InlineData("text/plain", "<?xml version='1.0'?><svg/>")]
    [InlineData("text/plain", "<script>x</script>")]
    [InlineData("text/markdown", "\uFEFF<html>")]
    [InlineData("text/plain", "binary\0zero")]
    [InlineData("application/pdf", "<html>%PDF-")]
    [InlineData("image/svg+xml", "<svg/>")]
    [InlineData("text/html", "<html>")]
    [InlineData("video/x-unknown", "anything")]
    public void Sniffing_refuses_disguised_and_unknown_content(string type, string content) =>
        Assert.False(MediaRules.Sniff(type, Encoding.UTF8.GetBytes(content)));

    [Fact]
    public void The_allowlist_has_no_active_content_and_types_are_normalized()
    {
        Assert.DoesNotContain("image/svg+xml", MediaRules.Allowed);
        Assert.DoesNotContain("text/html", MediaRules.Allowed);
        Assert.DoesNotContain("application/xhtml+xml", MediaRules.Allowed);
        Assert.DoesNotContain("text/javascript", MediaRules.Allowed);
        Assert.Equal("text/plain", MediaRules.NormalizeContentType(" Text/Plain; charset=UTF-8"));
        Assert.True(MediaRules.IsInline("image/png") && MediaRules.IsInline("video/mp4") && MediaRules.IsInline("audio/ogg") && MediaRules.IsInline("application/pdf"));
        Assert.False(MediaRules.IsInline("text/plain") || MediaRules.IsInline("application/zip"));
    }

    [Theory]
    [InlineData("cat.png", null)]
    [InlineData("  spaced name ü.txt ", null)]
    [InlineData("", "empty")]
    [InlineData("..", "name")]
    [InlineData("a/b.txt", "slashes")]
    [InlineData("a\\b.txt", "slashes")]
    [InlineData("a\u0000b", "control")]
    [InlineData("evil\u202Etxt.exe", "bidirectional")]
    public void Filenames(string name, string? errorPart)
    {
        var error = MediaRules.FilenameError(name, out var normalized);
        if (errorPart is null)
        {
            Assert.Null(error);
            Assert.Equal(name.Trim(), normalized);
        }
        else
        {
            Assert.Contains(errorPart, error, StringComparison.OrdinalIgnoreCase);
        }

        Assert.NotNull(MediaRules.FilenameError(new string('a', 256), out _));
    }

    [Fact]
    public void Content_disposition_is_inline_only_for_media_and_encodes_the_name()
    {
        Assert.Equal("inline; filename=\"cat.png\"; filename*=UTF-8''cat.png", MediaRules.ContentDisposition("image/png", "cat.png"));
        Assert.Equal("attachment; filename=\"r_sum_ \\\"x\\\".txt\"".Replace("\\\"x\\\"", "_x_", StringComparison.Ordinal) + "; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22.txt",
            MediaRules.ContentDisposition("text/plain", "résumé \"x\".txt"));
        Assert.StartsWith("attachment;", MediaRules.ContentDisposition("application/zip", "a.zip"), StringComparison.Ordinal);
        Assert.StartsWith("inline;", MediaRules.ContentDisposition("application/pdf", "a.pdf"), StringComparison.Ordinal);
        // Header injection is impossible: CR/LF never survive either form.
        var nasty = MediaRules.ContentDisposition("text/plain", "a\r\nSet-Cookie: x.txt");
        Assert.DoesNotContain('\r', nasty);
        Assert.DoesNotContain('\n', nasty);
    }

    [Theory]
    [InlineData("bytes=0-9", 100L, 0L, 10L)]
    [InlineData("bytes=90-", 100L, 90L, 10L)]
    [InlineData("bytes=-10", 100L, 90L, 10L)]
    [InlineData("bytes=95-200", 100L, 95L, 5L)]
    [InlineData("bytes=-500", 100L, 0L, 100L)]
    public void Ranges(string header, long length, long start, long count)
    {
        Assert.Equal((start, count), MediaRules.ParseRange(header, length, out var unsatisfiable));
        Assert.False(unsatisfiable);
    }

    [Fact]
    public void Unusable_ranges_mean_the_whole_file_or_416()
    {
        Assert.Null(MediaRules.ParseRange(null, 100, out _));
        Assert.Null(MediaRules.ParseRange("bytes=0-1,5-6", 100, out var multi));
        Assert.False(multi);
        Assert.Null(MediaRules.ParseRange("items=0-1", 100, out _));
        Assert.Null(MediaRules.ParseRange("bytes=9-2", 100, out _));
        Assert.Null(MediaRules.ParseRange("bytes=100-", 100, out var beyond));
        Assert.True(beyond);
        Assert.Null(MediaRules.ParseRange("bytes=-0", 100, out var none));
        Assert.True(none);
    }

    [Fact]
    public void Signatures_bind_variant_file_and_expiry_and_expire()
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var other = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        const string id = "att_01ARZ3NDEKTSV4RRFFQ69G5FAV";
        var signature = MediaLinks.Sign(key, MediaVariant.Original, id, 2000);
        Assert.True(MediaLinks.Verify(key, MediaVariant.Original, id, 2000, signature, nowUnix: 1999));
        Assert.True(MediaLinks.Verify(key, MediaVariant.Original, id, 2000, signature, nowUnix: 2000));
        Assert.False(MediaLinks.Verify(key, MediaVariant.Original, id, 2000, signature, nowUnix: 2001));
        Assert.False(MediaLinks.Verify(key, MediaVariant.Original, id, 2001, signature, nowUnix: 1000));
        Assert.False(MediaLinks.Verify(key, MediaVariant.Thumbnail, id, 2000, signature, nowUnix: 1000));
        Assert.False(MediaLinks.Verify(key, MediaVariant.Original, "att_01ARZ3NDEKTSV4RRFFQ69G5FAW", 2000, signature, nowUnix: 1000));
        Assert.False(MediaLinks.Verify(other, MediaVariant.Original, id, 2000, signature, nowUnix: 1000));
        Assert.False(MediaLinks.Verify(key, MediaVariant.Original, id, 2000, null, nowUnix: 1000));
        Assert.False(MediaLinks.Verify(key, MediaVariant.Original, id, 2000, signature[..^1], nowUnix: 1000));
        Assert.DoesNotContain('+', signature);
        Assert.DoesNotContain('/', signature);
    }
}
